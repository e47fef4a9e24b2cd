import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { API_KEY_CREATED_FIELDS } from "../../types/integration/api.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { UsageError } from "../../errors.js";
import { dateOption, durationOption, enumListOption, enumOption, KEY_ENVIRONMENTS } from "../../cli/flags.js";
import { collect, parseDateFlag, parseDurationFlag, parseEnumList, parseKeyValues } from "../../cli/parse.js";
import { DEFAULT_KEY_PREFIX, PREFIX_PATTERN } from "../../lib/api-key.js";
import { createKey, type CreateKeyInput } from "../../services/keys/create.js";
import { ApiKeyScope } from "../../types/enums.js";
import { parseEnvironment } from "./filter-flags.js";
import { examples } from "../examples.js";

interface CreateFlags {
  name?: string;
  scopes: string;
  expiresIn?: string;
  expiresAt?: string;
  env: string;
  prefix: string;
  owner?: string;
  meta: string[];
}

export function registerCreate(keys: Command, context: ContextFactory): void {
  jsonFields(keys.command("create"), API_KEY_CREATED_FIELDS)
    .description("Create an API key; the key is printed once, on stdout, and never again")
    .requiredOption("--name <name>", "what the key is for")
    .addOption(enumListOption("--scopes <s,...>", "what the key may do", ApiKeyScope).default("read"))
    .addOption(durationOption("--expires-in <duration>", "expire after this long, e.g. 90d"))
    .addOption(dateOption("--expires-at <iso>", "expire at this time"))
    .addOption(enumOption("--env <env>", "part of the key's text", KEY_ENVIRONMENTS).default("live"))
    .option("--prefix <prefix>", "the key's prefix: 2-16 lowercase letters and digits", DEFAULT_KEY_PREFIX)
    .option("--owner <id>", "who the key belongs to")
    .option("--meta <key=value>", "metadata, repeatable", collect, [])
    .addHelpText("after", "\nOnly a hash of the key is stored. With --json the key is in the field `key`, only here.")
    .addHelpText(
      "after",
      examples([
        ["Create a read-only key for CI that expires in 90 days", "intg keys create --name ci-deploy --expires-in 90d"],
        [
          "A test-mode key that can read and write, owned by a user",
          "intg keys create --name staging-sync --scopes read,write --env test --owner user_42",
        ],
        [
          "Print only the key from the JSON, e.g. to store it in a vault",
          "intg keys create --name billing --meta team=billing --json | jq -r .key",
        ],
      ]),
    )
    .action(async (flags: CreateFlags, cmd: Command) => {
      const ctx = context(cmd);
      const input = toInput(flags, ctx.now());
      const created = await createKey(await ctx.services(), input);
      // stdout carries the key alone, so `KEY=$(intg keys create …)` works; the rest is for people.
      ctx.printShownOnce(
        created,
        created.key,
        `The key ${created.id} was created, but stdout closed before it was written: revoke it (intg keys revoke ${created.id}) and create another.`,
      );
      if (ctx.out.json) return;
      const scopes = created.scopes.map((s) => s.toLowerCase()).join(",");
      ctx.out.success(
        `Created ${created.id} (${created.name}; ${scopes}; expires ${created.expiresAt ?? "never"}). Store the key now: it cannot be shown again.`,
      );
    });
}

function toInput(flags: CreateFlags, now: Date): CreateKeyInput {
  const name = flags.name!.trim();
  if (!name) throw new UsageError("--name must not be empty.");
  if (!PREFIX_PATTERN.test(flags.prefix))
    throw new UsageError(
      `--prefix: "${flags.prefix}" is not 2-16 lowercase letters and digits, starting with a letter.`,
    );
  if (flags.expiresIn && flags.expiresAt) throw new UsageError("Give --expires-in or --expires-at, not both.");
  let expiresAt: Date | null = null;
  if (flags.expiresIn) expiresAt = new Date(now.getTime() + parseDurationFlag("--expires-in", flags.expiresIn));
  if (flags.expiresAt) expiresAt = parseDateFlag("--expires-at", flags.expiresAt, now);
  if (expiresAt && expiresAt <= now) throw new UsageError("The expiry is in the past.");
  const meta = parseKeyValues("--meta", flags.meta);
  return {
    name,
    scopes: parseEnumList("--scopes", flags.scopes, ApiKeyScope),
    environment: parseEnvironment(flags.env),
    prefix: flags.prefix,
    ownerId: flags.owner ?? null,
    metadata: Object.keys(meta).length ? meta : null,
    expiresAt,
  };
}
