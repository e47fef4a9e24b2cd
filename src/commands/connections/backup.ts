import type { Command } from "commander";
import type { CommandContext } from "../../cli/context.js";
import { ConflictError, UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { readJsonFile } from "../../cli/read-file.js";
import { readSecret } from "../../cli/read-secret.js";
import { withPrivateFile } from "../../lib/private-file.js";
import type { IntegrationBackupSummary } from "../../types/integration/integration.types.js";

const MIN_PASSPHRASE = 12;

async function readPassphrase(ctx: CommandContext, file: string | undefined, checkStrength: boolean): Promise<string> {
  const passphrase = await readSecret(ctx, {
    what: "passphrase",
    file,
    prompt: true,
    how: "pipe it on stdin, or use --passphrase-file <path>",
  });
  if (checkStrength && passphrase.length < MIN_PASSPHRASE)
    throw new UsageError(
      `The passphrase is shorter than ${MIN_PASSPHRASE} characters; nothing was written.`,
      undefined,
      "WEAK_PASSPHRASE",
    );
  return passphrase;
}

export function registerBackup(connections: Command, context: ContextFactory): void {
  connections
    .command("backup")
    .description(
      "Write providers, connections and mappings to a file; credentials only with --include-secrets, under a passphrase",
    )
    .requiredOption("--out <file>", "the backup file to write")
    .option(
      "--include-secrets",
      "add the connections' credentials, encrypted under a passphrase read from stdin or --passphrase-file",
      false,
    )
    .option("--passphrase-file <path>", "read the passphrase from a file")
    .action(async (flags: { out: string; includeSecrets: boolean; passphraseFile?: string }, cmd: Command) => {
      const ctx = context(cmd);
      if (flags.passphraseFile && !flags.includeSecrets)
        throw new UsageError("--passphrase-file is only used with --include-secrets.");
      const passphrase = flags.includeSecrets ? await readPassphrase(ctx, flags.passphraseFile, true) : null;
      const { createBackup } = await import("../../services/connections/backup.js");
      // Owner-only, new and renamed into place (lib/private-file.ts); a bad --out fails before any work.
      const backup = await withPrivateFile(flags.out, async (file) => {
        const made = await createBackup(await ctx.services(), { passphrase });
        file.write(JSON.stringify(made, null, 2) + "\n");
        return made;
      });
      const summary: IntegrationBackupSummary = {
        file: flags.out,
        providers: backup.providers.length,
        connections: backup.connections.length,
        mappings: backup.mappings.length,
        secrets: backup.secrets?.count ?? 0,
      };
      if (ctx.out.json) return ctx.out.printJson(summary);
      ctx.out.success(
        `Wrote ${summary.providers} provider(s), ${summary.connections} connection(s), ${summary.mappings} mapping(s) and ${summary.secrets} credential(s) to ${flags.out}.`,
      );
      if (!backup.secrets)
        ctx.out.info("Without --include-secrets, restored connections need their credentials set again.");
      if (!backup.signature)
        ctx.out.warn(
          "The backup is unauthenticated (no master key at hand to sign it): restoring it takes --allow-unsigned.",
        );
    });
  connections
    .command("restore <file>")
    .description("Restore a backup into this database: all or nothing; conflicts are reported and nothing is written")
    .option("-n, --dry-run", "report what would be restored and every conflict, write nothing", false)
    .option("--passphrase-file <path>", "read the backup's passphrase from a file (else stdin)")
    .option(
      "--allow-unsigned",
      "restore a file with no signature, or one signed under a master key this database does not have (never an altered one)",
      false,
    )
    .action(
      async (
        file: string,
        flags: { dryRun: boolean; passphraseFile?: string; allowUnsigned: boolean },
        cmd: Command,
      ) => {
        const ctx = context(cmd);
        const { parseBackup, restoreBackup } = await import("../../services/connections/restore.js");
        const backup = parseBackup(readJsonFile(file));
        const passphrase = backup.secrets ? await readPassphrase(ctx, flags.passphraseFile, false) : null;
        const report = await restoreBackup(await ctx.services(), backup, {
          passphrase,
          dryRun: flags.dryRun,
          allowUnsigned: flags.allowUnsigned,
        });
        if (ctx.out.json) ctx.out.printJson(report);
        const c = report.created;
        const verb = report.dryRun ? "Would restore" : "Restored";
        ctx.out.success(
          `${verb} ${c.providers.length} provider(s), ${c.connections.length} connection(s) (${report.credentials} with credentials), ${c.mappings.length} mapping(s); already here: ${report.existing.providers.length + report.existing.connections.length + report.existing.mappings.length}.`,
        );
        for (const conflict of report.conflicts) ctx.out.warn(`conflict: ${conflict.id}: ${conflict.message}`);
        if (report.withoutCredentials.length)
          ctx.out.warn(
            `restored without credentials (set them with set-credentials): ${report.withoutCredentials.join(", ")}`,
          );
        if (report.conflicts.length)
          throw new ConflictError(
            `${report.conflicts.length} conflict(s); a restore would write nothing.`,
            undefined,
            "RESTORE_CONFLICT",
          );
      },
    );
}
