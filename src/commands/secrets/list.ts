import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { SECRET_FIELDS } from "../../types/integration/api.fields.js";
import type { CommandContext } from "../../cli/context.js";
import type { ContextFactory } from "../../cli/program.js";
import { listSecrets } from "../../services/secrets/list.js";
import type { IntegrationSecretInfo } from "../../types/integration/api.types.js";
import { SECRET_HEADERS, secretRow } from "./render.js";
import { parseTokenType, tokenTypeOption } from "./token-type.js";
import { examples } from "../examples.js";

interface ListOptions {
  type?: string;
  keyId?: string;
}

export function registerList(secrets: Command, context: ContextFactory): void {
  jsonFields(secrets.command("list"), SECRET_FIELDS)
    .description("List secrets (names, types, master key ids; never values)")
    .addOption(tokenTypeOption("only this kind"))
    .option("--key-id <id>", "only the secrets under this master key id")
    .addHelpText(
      "after",
      examples([
        ["List secrets (never their values)", "intg secrets list"],
        ["Only API keys, as JSON", "intg secrets list --type api_key --json"],
      ]),
    )
    .action(async (opts: ListOptions, cmd: Command) => void (await runList(context(cmd), opts)));
}

export async function runList(ctx: CommandContext, opts: ListOptions): Promise<IntegrationSecretInfo[]> {
  const tokenType = opts.type === undefined ? undefined : parseTokenType(opts.type);
  const secrets = await listSecrets(await ctx.services(), { tokenType, masterKeyId: opts.keyId });
  if (ctx.out.json) ctx.out.printJson(secrets);
  else if (secrets.length === 0) ctx.out.info("No secrets.");
  else await ctx.out.table(SECRET_HEADERS, secrets.map(secretRow));
  return secrets;
}
