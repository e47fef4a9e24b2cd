import { readFileSync } from "node:fs";
import { jsonFields } from "../../cli/json-fields.js";
import { MASTER_KEY_ROTATION_FIELDS } from "../../types/secrets.fields.js";
import type { Command } from "commander";
import { confirmOrCancel } from "../../cli/confirm.js";
import type { CommandContext } from "../../cli/context.js";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { progressBar } from "../../cli/progress.js";
import { KEY_BYTES, masterKeyFrom, type MasterKey } from "../../lib/crypto.js";
import { parseMasterKeyText } from "../../services/secrets/master-key.js";
import { DEFAULT_BATCH_SIZE, rotateMasterKey } from "../../services/secrets/rotate-master-key.js";
import type { MasterKeyRotationResult } from "../../types/secrets.types.js";
import { examples } from "../examples.js";

interface RotateOptions {
  newKeyFile?: string;
  batchSize: string;
  dryRun: boolean;
}

const HELP = `
Every secret not under the target master key is decrypted and sealed again under it, ${DEFAULT_BATCH_SIZE}
per transaction. Each secret records its key id, so a run that stops (crash, Ctrl-C) is finished
by running the command again; \`intg secrets status\` shows what is left (and exits 8 until done).

With the embedded database's key file (no INTG_MASTER_KEY):
  intg secrets rotate-master-key --yes                          generate a new key
  intg secrets rotate-master-key --new-key-file new.key --yes   use this key (32 raw bytes or base64)
The file names the new key current and keeps the old one as a previous key (it is never dropped
here: \`intg secrets prune-keys\` removes previous keys that no secret uses). Back the file up.

With INTG_MASTER_KEY (any other database), the new key is INTG_MASTER_KEY itself:
  export INTG_PREVIOUS_MASTER_KEYS="$INTG_MASTER_KEY"   # the old key (comma-separate several)
  export INTG_MASTER_KEY="$(openssl rand -base64 32)"   # the new key; store it where it belongs
  intg secrets rotate-master-key --yes
Until it completes, every intg process needs both variables; afterwards only INTG_MASTER_KEY
(\`intg secrets prune-keys --dry-run\` says which previous keys nothing uses any more).

A run holds the master-key lock from start to end (a lock file beside the SQLite database, an
advisory lock on PostgreSQL). A second run waits for it (up to 2 minutes, then exits 6) and then
plans again from the key file as the first run left it. A run killed part-way is finished by
running the command again.`;

export function registerRotateMasterKey(secrets: Command, context: ContextFactory): void {
  jsonFields(secrets.command("rotate-master-key"), MASTER_KEY_ROTATION_FIELDS)
    .description("Re-encrypt every secret under a new master key, in batches; resumable")
    .option(
      "--new-key-file <path>",
      "the new key for the key file: 32 raw bytes or base64 text (default: generate one)",
    )
    .option("--batch-size <n>", "secrets per transaction", String(DEFAULT_BATCH_SIZE))
    .option("-n, --dry-run", "show what would be re-encrypted, change nothing", false)
    .addHelpText("after", HELP)
    .addHelpText(
      "after",
      examples([
        ["See what would be re-encrypted", "intg secrets rotate-master-key --dry-run"],
        ["Rotate the key file's key to a newly generated one", "intg secrets rotate-master-key --yes"],
        [
          "Rotate to a key of your own, 100 secrets per transaction",
          "intg secrets rotate-master-key --new-key-file new.key --batch-size 100 --yes",
        ],
      ]),
    )
    .action(async (opts: RotateOptions, cmd: Command) => void (await runRotateMasterKey(context(cmd), opts)));
}

export async function runRotateMasterKey(ctx: CommandContext, opts: RotateOptions): Promise<MasterKeyRotationResult> {
  const batchSize = Number(opts.batchSize);
  if (!/^\d+$/.test(opts.batchSize) || batchSize < 1 || batchSize > 10_000)
    throw new UsageError(`--batch-size must be a whole number from 1 to 10000, not "${opts.batchSize}".`);
  const newKey = opts.newKeyFile === undefined ? undefined : readNewKey(opts.newKeyFile);
  const services = await ctx.services();
  const plan = await rotateMasterKey(services, { newKey, batchSize, dryRun: true });
  if (opts.dryRun) return report(ctx, plan);
  const target = plan.newKey === "generated" ? "a newly generated master key" : `master key ${plan.toKeyId}`;
  await confirmOrCancel(ctx, `Re-encrypt ${plan.remaining} secret(s) under ${target}?`, "nothing was re-encrypted");
  const bar = await progressBar(ctx, "Re-encrypting {bar} {value}/{total} secrets | {eta_formatted}");
  try {
    return report(ctx, await rotateMasterKey(services, { newKey, batchSize, onProgress: bar?.update }));
  } finally {
    bar?.stop();
  }
}

/** 32 raw bytes, or base64 text of 32 bytes. The key itself is never echoed. */
function readNewKey(path: string): MasterKey {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(
      `Cannot read --new-key-file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
  return bytes.length === KEY_BYTES
    ? masterKeyFrom(bytes)
    : parseMasterKeyText(bytes.toString("utf8"), `--new-key-file ${path}`);
}

async function report(ctx: CommandContext, r: MasterKeyRotationResult): Promise<MasterKeyRotationResult> {
  if (ctx.out.json) ctx.out.printJson(r);
  else {
    await ctx.out.details([
      ["target key", r.toKeyId ?? "(generated when run)"],
      ["key source", r.keySource === "env" ? "INTG_MASTER_KEY" : "key file"],
      ...Object.entries(r.fromKeyIds).map(([id, n]): [string, number] => [`from ${id}`, n]),
      ["re-encrypted", r.reencrypted],
      ["batches", r.batches],
      ["remaining", r.remaining],
    ]);
  }
  if (r.dryRun) ctx.out.info(`Dry run: ${r.remaining} secret(s) would be re-encrypted.`);
  else if (r.remaining === 0) {
    ctx.out.success(`All secrets are under master key ${r.toKeyId} (${r.reencrypted} re-encrypted).`);
    if (r.reencrypted > 0)
      ctx.out.info("The previous key(s) are kept; `intg secrets prune-keys` removes the unused ones.");
  } else ctx.out.warn(`${r.remaining} secret(s) are still not under ${r.toKeyId}: run the command again.`);
  return r;
}
