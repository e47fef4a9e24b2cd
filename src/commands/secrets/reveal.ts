import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { SECRET_REVEALED_FIELDS } from "../../types/secrets.fields.js";
import type { CommandContext } from "../../cli/context.js";
import type { ContextFactory } from "../../cli/program.js";
import { revealSecret } from "../../services/secrets/reveal.js";
import type { SecretRevealed } from "../../types/secrets.types.js";
import { examples } from "../examples.js";

export function registerReveal(secrets: Command, context: ContextFactory): void {
  jsonFields(secrets.command("reveal"), SECRET_REVEALED_FIELDS)
    .description("Decrypt a secret and print its value on stdout (recorded in the audit log)")
    .argument("<name-or-id>", "the secret's name or sec_ id")
    .addHelpText(
      "after",
      "\nPrints the value and a newline, nothing else; --json prints the secret's view with a `value` field.\nExits 4 when the master key is missing or wrong, or the stored ciphertext was altered.",
    )
    .addHelpText(
      "after",
      examples([
        ["Print a secret's value (recorded in the audit log)", "intg secrets reveal stripe-live"],
        ["Copy it to the clipboard instead of the screen", "intg secrets reveal stripe-live | pbcopy"],
      ]),
    )
    .action(async (ref: string, _opts, cmd: Command) => void (await runReveal(context(cmd), ref)));
}

export async function runReveal(ctx: CommandContext, ref: string): Promise<SecretRevealed> {
  const secret = await revealSecret(await ctx.services(), ref);
  if (ctx.out.json) ctx.out.printJson(secret);
  // Always exactly one newline added (print() would skip it after a value ending in one), so
  // `secrets set`, which drops one, stores back the same value.
  else ctx.deps.io.stdout.write(secret.value + "\n");
  return secret;
}
