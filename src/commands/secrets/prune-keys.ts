import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { MASTER_KEY_PRUNE_FIELDS } from "../../types/secrets.fields.js";
import { confirmOrCancel } from "../../cli/confirm.js";
import type { CommandContext } from "../../cli/context.js";
import type { ContextFactory } from "../../cli/program.js";
import { pruneKeys } from "../../services/secrets/prune-keys.js";
import type { MasterKeyPruneResult } from "../../types/secrets.types.js";
import { examples } from "../examples.js";

interface PruneOptions {
  dryRun: boolean;
}

const HELP = `
Removes from the embedded database's key file (master.key) the previous master keys that no
secret or webhook signing secret is sealed under any more, as left by \`intg secrets
rotate-master-key\` (which never drops a key itself). The current key is always kept, and so is
every previous key that a row still uses. It runs under the master-key lock, so it never races a
rotation. Back the key file up before and after: a removed key cannot be recovered from intg.

With INTG_MASTER_KEY, nothing is edited: it names the INTG_PREVIOUS_MASTER_KEYS entries that no row
needs, for you to remove from the environment.`;

export function registerPruneKeys(secrets: Command, context: ContextFactory): void {
  jsonFields(secrets.command("prune-keys"), MASTER_KEY_PRUNE_FIELDS)
    .description("Drop previous master keys that no secret uses from the key file (asks first; --yes off a terminal)")
    .option("-n, --dry-run", "show which keys would be dropped, change nothing", false)
    .addHelpText("after", HELP)
    .addHelpText(
      "after",
      examples([
        ["See which previous master keys nothing uses any more", "intg secrets prune-keys --dry-run"],
        ["Drop them from the key file, from a script", "intg secrets prune-keys --yes --json"],
      ]),
    )
    .action(async (opts: PruneOptions, cmd: Command) => void (await runPruneKeys(context(cmd), opts)));
}

export async function runPruneKeys(ctx: CommandContext, opts: PruneOptions): Promise<MasterKeyPruneResult> {
  const services = await ctx.services();
  const plan = await pruneKeys(services, { dryRun: true });
  if (opts.dryRun || plan.prunedKeyIds.length === 0) return report(ctx, plan);
  const question = `Remove ${plan.prunedKeyIds.length} unused previous master key(s) from ${plan.keyFile}?`;
  await confirmOrCancel(ctx, question, "the key file was not changed");
  // Planned again under the lock: a rotation may have run since the question was asked.
  return report(ctx, await pruneKeys(services));
}

async function report(ctx: CommandContext, r: MasterKeyPruneResult): Promise<MasterKeyPruneResult> {
  if (ctx.out.json) ctx.out.printJson(r);
  else {
    await ctx.out.details([
      ["current key", r.currentKeyId ?? "none yet"],
      ["key file", r.keyFile ?? "none"],
      [r.dryRun ? "would drop" : "dropped", r.prunedKeyIds.join(", ") || "none"],
      ...Object.entries(r.keptKeyIds).map(([id, n]): [string, string] => [`kept ${id}`, `${n} row(s) use it`]),
    ]);
  }
  if (r.unneededEnvKeyIds.length > 0) {
    const ids = r.unneededEnvKeyIds.join(", ");
    ctx.out.info(`INTG_PREVIOUS_MASTER_KEYS entries that no row needs (remove them yourself): ${ids}.`);
  }
  if (r.dryRun) ctx.out.info(`Dry run: ${r.prunedKeyIds.length} previous key(s) would be dropped from the key file.`);
  else if (r.prunedKeyIds.length > 0) {
    ctx.out.success(`Dropped ${r.prunedKeyIds.length} previous key(s) from ${r.keyFile}; back it up.`);
  } else ctx.out.info("No previous key in the key file is unused; nothing was changed.");
  return r;
}
