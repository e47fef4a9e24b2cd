import type { Command } from "commander";
import type { CommandContext } from "../../cli/context.js";
import type { ContextFactory } from "../../cli/program.js";
import { listSecrets } from "../../services/secrets/list.js";
import type { IntegrationSecretInfo } from "../../types/integration/api.types.js";
import { SECRET_HEADERS, secretRow } from "./render.js";
import { parseTokenType, tokenTypeOption } from "./token-type.js";

interface ListOptions {
  type?: string;
  keyId?: string;
}

export function registerList(secrets: Command, context: ContextFactory): void {
  secrets
    .command("list")
    .description("List secrets (names, types, master key ids; never values)")
    .addOption(tokenTypeOption("only this kind"))
    .option("--key-id <id>", "only the secrets under this master key id")
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
