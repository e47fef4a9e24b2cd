import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { SECRET_FIELDS } from "../../types/integration/api.fields.js";
import type { CommandContext } from "../../cli/context.js";
import type { ContextFactory } from "../../cli/program.js";
import { getSecret } from "../../services/secrets/show.js";
import type { IntegrationSecretInfo } from "../../types/integration/api.types.js";
import { secretDetails } from "./render.js";
import { examples } from "../examples.js";

export function registerShow(secrets: Command, context: ContextFactory): void {
  jsonFields(secrets.command("show"), SECRET_FIELDS)
    .description("Show a secret's metadata (not its value: see reveal)")
    .argument("<name-or-id>", "the secret's name or sec_ id")
    .addHelpText(
      "after",
      examples([
        ["Show a secret's metadata", "intg secrets show stripe-live"],
        ["By id, as JSON", "intg secrets show sec_01JD8S4M2P --json"],
      ]),
    )
    .action(async (ref: string, _opts, cmd: Command) => void (await runShow(context(cmd), ref)));
}

export async function runShow(ctx: CommandContext, ref: string): Promise<IntegrationSecretInfo> {
  const secret = await getSecret(await ctx.services(), ref);
  if (ctx.out.json) ctx.out.printJson(secret);
  else await ctx.out.details(secretDetails(secret));
  return secret;
}
