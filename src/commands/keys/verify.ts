import { Option, type Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { API_KEY_VERIFICATION_FIELDS } from "../../types/integration/api.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { CredentialError, UsageError } from "../../errors.js";
import { enumOption } from "../../cli/flags.js";
import { parseEnum } from "../../cli/parse.js";
import { readSecret } from "../../cli/read-secret.js";
import { verifyKey } from "../../services/keys/verify.js";
import { ApiKeyScope } from "../../types/enums.js";
import { examples } from "../examples.js";

export function registerVerify(keys: Command, context: ContextFactory): void {
  jsonFields(keys.command("verify"), API_KEY_VERIFICATION_FIELDS)
    .description("Verify a key read from stdin, --key-file or INTG_KEY: exit 0 when valid, 4 otherwise")
    .argument("[key]", "refused: a key on the command line leaks into ps and shell history")
    .addOption(enumOption("--scope <scope>", "also require this scope", ApiKeyScope))
    .option("--key-file <file>", "read the key from this file")
    .addOption(new Option("--key <key>").hideHelp())
    .addHelpText(
      "after",
      "\nRecords the key's last use and use count. Refusals name the reason: NOT_FOUND, REVOKED, EXPIRED, INSUFFICIENT_SCOPE, MALFORMED.",
    )
    .addHelpText(
      "after",
      examples([
        ["Verify a key kept in a file", "intg keys verify --key-file ./key.txt"],
        ["Verify a key on stdin and require the write scope", "intg keys verify --scope write < key.txt"],
        ["Verify the key in $INTG_KEY, as JSON", "intg keys verify --json"],
      ]),
    )
    .action(
      async (
        positional: string | undefined,
        flags: { scope?: string; keyFile?: string; key?: string },
        cmd: Command,
      ) => {
        const ctx = context(cmd);
        if (positional !== undefined || flags.key !== undefined) {
          throw new UsageError(
            "A key must not be passed on the command line: it leaks into ps and shell history.",
            "Pipe it on stdin, use --key-file, or set INTG_KEY.",
            "SECRET_IN_ARGUMENTS",
          );
        }
        const scope = flags.scope ? parseEnum("--scope", flags.scope, ApiKeyScope) : null;
        const key = (
          await readSecret(ctx, {
            what: "key",
            file: flags.keyFile,
            defaultEnv: "INTG_KEY",
            how: "pipe it on stdin, use --key-file <path>, or set INTG_KEY",
          })
        ).trim();
        const result = await verifyKey(await ctx.services(), { key, scope });
        if (ctx.out.json) ctx.out.printJson(result);
        else if (result.valid) {
          await ctx.out.details([
            ["key", result.keyId],
            ["status", result.status?.toLowerCase()],
            ["scopes", result.scopes.map((s) => s.toLowerCase()).join(", ")],
            ["expires", result.expiresAt ?? "never"],
          ]);
        }
        // The outcome is the error's code; VALID never is one (help exit-codes listed it under 4).
        if (result.outcome !== "VALID")
          throw new CredentialError(`${result.outcome}: ${result.message}`, undefined, result.outcome);
      },
    );
}
