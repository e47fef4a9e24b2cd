import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { API_KEY_IDENTIFICATION_FIELDS } from "../../types/integration/api.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { CredentialError, UsageError } from "../../errors.js";
import { readSecret } from "../../cli/read-secret.js";
import { identifyKey } from "../../lib/api-key.js";
import type { ApiKeyIdentification } from "../../types/integration/api.types.js";
import { examples } from "../examples.js";

export function registerIdentify(keys: Command, context: ContextFactory): void {
  jsonFields(keys.command("identify"), API_KEY_IDENTIFICATION_FIELDS)
    .description("Tell offline whether a key read from stdin or --key-file is a well-formed intg key; no database")
    .argument("[key]", "refused: a key on the command line leaks into ps and shell history")
    .option("--key-file <file>", "read the key from this file")
    .addHelpText(
      "after",
      "\nFor a key found in a log or a leak: pipe it in (pbpaste | intg keys identify) or use --key-file.\n" +
        "Exit 0 when well-formed, 4 when not.",
    )
    .addHelpText(
      "after",
      examples([
        ["Tell whether a key found in a log is an intg key", "intg keys identify --key-file ./suspect.txt"],
        ["The same from stdin, as JSON", "intg keys identify --json < suspect.txt"],
      ]),
    )
    .action(async (positional: string | undefined, flags: { keyFile?: string }, cmd: Command) => {
      const ctx = context(cmd);
      // Even a leaked key stays out of argv: a live one would land in ps and shell history again.
      if (positional !== undefined) {
        throw new UsageError(
          "A key must not be passed on the command line: it leaks into ps and shell history.",
          "Pipe it on stdin or use --key-file <path>.",
          "SECRET_IN_ARGUMENTS",
        );
      }
      const how = "pipe it on stdin, or use --key-file <path>";
      const key = (await readSecret(ctx, { what: "key", file: flags.keyFile, how })).trim();
      const id = identifyKey(key);
      const view: ApiKeyIdentification = id.wellFormed
        ? {
            wellFormed: true,
            prefix: id.prefix,
            environment: id.environment,
            formatVersion: id.formatVersion,
            reason: null,
          }
        : { wellFormed: false, prefix: null, environment: null, formatVersion: null, reason: id.reason };
      if (ctx.out.json) ctx.out.printJson(view);
      else if (view.wellFormed)
        await ctx.out.details([
          ["well-formed", "yes"],
          ["prefix", view.prefix],
          ["environment", view.environment],
          ["format version", view.formatVersion],
        ]);
      if (!view.wellFormed)
        throw new CredentialError(`Not a well-formed intg key: ${view.reason}.`, undefined, "MALFORMED");
    });
}
