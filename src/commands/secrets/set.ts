import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { SECRET_FIELDS } from "../../types/integration/api.fields.js";
import type { CommandContext } from "../../cli/context.js";
import { dateOption, durationOption, fromEnvOption, fromFileOption } from "../../cli/flags.js";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { MAX_DURATION_TEXT, parseDuration, withinMaxDuration } from "../../lib/duration.js";
import { setSecret, type SetSecretResult } from "../../services/secrets/set.js";
import { validateSecretName } from "../../services/secrets/rows.js";
import { readSecret } from "../../cli/read-secret.js";
import { secretDetails } from "./render.js";
import { parseTokenType, tokenTypeOption } from "./token-type.js";
import { examples } from "../examples.js";

interface SetOptions {
  fromFile?: string;
  fromEnv?: string;
  type?: string;
  expiresIn?: string;
  expiresAt?: string;
  newMasterKey: boolean;
}

export function registerSet(secrets: Command, context: ContextFactory): void {
  jsonFields(secrets.command("set"), SECRET_FIELDS)
    .description("Store a credential encrypted: create the secret, or replace the value of the one with that name")
    .argument("<name>", "the secret's name (letters, digits and . _ : / @ -)")
    .addOption(tokenTypeOption("what kind of credential (needed to create)"))
    .addOption(fromFileOption("the value"))
    .addOption(fromEnvOption("the value"))
    .addOption(durationOption("--expires-in <duration>", "when the credential expires, from now: 90d, 12h, 2w…"))
    .addOption(dateOption("--expires-at <iso-time>", "when the credential expires, e.g. 2027-01-31T00:00:00Z"))
    .option("--new-master-key", "seal under the configured master key even if it opens no stored secret", false)
    .addHelpText(
      "after",
      [
        "",
        "The value is never taken from a flag (it would leak into ps and shell history): it is read",
        "from stdin, from --from-file or from --from-env, or asked for (hidden) on a terminal. One",
        "trailing newline is dropped. The value is not printed; `intg secrets reveal` shows it.",
        "",
        "The value is sealed under the current master key, which must be this store's: when secrets",
        "exist and the key opens none of them (an unrelated INTG_MASTER_KEY, a replaced key file), it",
        "exits 4 (MASTER_KEY_MISMATCH) and writes nothing. --new-master-key starts the store over under",
        "the configured key on purpose; secrets sealed under the old key stay unreadable without it.",
      ].join("\n"),
    )
    .addHelpText(
      "after",
      examples([
        [
          "Store an API key read from stdin (a trailing newline is dropped)",
          "intg secrets set stripe-live --type api_key < stripe-key.txt",
        ],
        [
          "Store an OAuth client secret kept in a file",
          "intg secrets set github-app --type oauth2_client_secret --from-file ./client-secret.txt",
        ],
        [
          "Replace a value from an environment variable, expiring in 90 days",
          "intg secrets set slack-signing --from-env SLACK_SIGNING_SECRET --expires-in 90d",
        ],
      ]),
    )
    .action(async (name: string, opts: SetOptions, cmd: Command) => void (await runSet(context(cmd), name, opts)));
}

export async function runSet(ctx: CommandContext, name: string, opts: SetOptions): Promise<SetSecretResult> {
  // Everything is checked before the database is opened: bad input writes nothing.
  validateSecretName(name);
  const tokenType = opts.type === undefined ? undefined : parseTokenType(opts.type);
  const expiresAt = parseExpiry(ctx, opts);
  const value = await readSecret(ctx, {
    what: "secret value",
    file: opts.fromFile,
    env: opts.fromEnv,
    prompt: true,
    how: "pipe it on stdin, or use --from-file <path> or --from-env <VAR>",
  });
  const input = { name, tokenType, value, expiresAt, newMasterKey: opts.newMasterKey };
  const result = await setSecret(await ctx.services(), input);
  if (result.keyFileCreated) {
    ctx.out.warn(
      `created the master key file ${result.keyFileCreated} (mode 0600). Back it up: without it these secrets cannot be decrypted.`,
    );
  }
  if (ctx.out.json) ctx.out.printJson(result.secret);
  else if (ctx.out.quiet) ctx.out.print(result.secret.name);
  else await ctx.out.details(secretDetails(result.secret));
  ctx.out.success(
    `${result.created ? "Created" : "Replaced the value of"} secret "${name}" under master key ${result.secret.masterKeyId}.`,
  );
  return result;
}

function parseExpiry(ctx: CommandContext, opts: SetOptions): Date | undefined {
  if (opts.expiresIn !== undefined && opts.expiresAt !== undefined)
    throw new UsageError("Give either --expires-in or --expires-at, not both.");
  if (opts.expiresIn !== undefined) {
    const ms = parseDuration(opts.expiresIn);
    if (ms === undefined || ms <= 0)
      throw new UsageError(
        `"${opts.expiresIn}" is not a duration; nothing was written.`,
        "Use e.g. 90d, 12h, 1h30m or 2w.",
        "INVALID_DURATION",
      );
    if (!withinMaxDuration(ms)) {
      const message = `--expires-in: "${opts.expiresIn}" is longer than ${MAX_DURATION_TEXT}; nothing was written.`;
      throw new UsageError(message, undefined, "DURATION_TOO_LONG");
    }
    return new Date(ctx.now().getTime() + ms);
  }
  if (opts.expiresAt !== undefined) {
    const at = new Date(opts.expiresAt);
    if (Number.isNaN(at.getTime()))
      throw new UsageError(
        `"${opts.expiresAt}" is not a date; nothing was written.`,
        "Use ISO-8601, e.g. 2027-01-31T00:00:00Z.",
        "INVALID_DATE",
      );
    if (!withinMaxDuration(at.getTime() - ctx.now().getTime())) {
      const message = `--expires-at: ${opts.expiresAt} is more than ${MAX_DURATION_TEXT} from now; nothing written.`;
      throw new UsageError(message, undefined, "DATE_OUT_OF_RANGE");
    }
    return at;
  }
  return undefined;
}
