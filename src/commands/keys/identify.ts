import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { CredentialError } from "../../cli/errors.js";
import { readSecret } from "../../cli/read-secret.js";
import { identifyKey } from "../../lib/api-key.js";
import type { ApiKeyIdentification } from "../../types/integration/api.types.js";

export function registerIdentify(keys: Command, context: ContextFactory): void {
  keys
    .command("identify [key]")
    .description("Tell offline whether a string is a well-formed intg key (prefix, environment, checksum); no database")
    .addHelpText("after", "\nFor a key found in a log or a leak. Without an argument the key is read from stdin. Exit 0 when well-formed, 4 when not.")
    .action(async (given: string | undefined, _flags, cmd: Command) => {
      const ctx = context(cmd);
      const key = given ?? (await readSecret(ctx, { what: "key", how: "give it as the argument, or pipe it on stdin" })).trim();
      const id = identifyKey(key);
      const view: ApiKeyIdentification = id.wellFormed
        ? { wellFormed: true, prefix: id.prefix, environment: id.environment, formatVersion: id.formatVersion, reason: null }
        : { wellFormed: false, prefix: null, environment: null, formatVersion: null, reason: id.reason };
      if (ctx.out.json) ctx.out.printJson(view);
      else if (view.wellFormed) await ctx.out.details([["well-formed", "yes"], ["prefix", view.prefix], ["environment", view.environment], ["format version", view.formatVersion]]);
      if (!view.wellFormed) throw new CredentialError(`Not a well-formed intg key: ${view.reason}.`, undefined, "MALFORMED");
    });
}
