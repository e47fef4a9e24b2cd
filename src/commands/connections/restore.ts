import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { RESTORE_FIELDS } from "../../types/integration/integration.fields.js";
import { ConflictError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { readJsonFile } from "../../cli/read-file.js";
import { readPassphrase } from "./passphrase.js";
import { examples } from "../examples.js";

export function registerRestore(connections: Command, context: ContextFactory): void {
  jsonFields(connections.command("restore <file>"), RESTORE_FIELDS)
    .description("Restore a backup into this database: all or nothing; conflicts are reported and nothing is written")
    .option("-n, --dry-run", "report what would be restored and every conflict, write nothing", false)
    .option("--passphrase-file <path>", "read the backup's passphrase from a file (else stdin)")
    .option(
      "--allow-unsigned",
      "restore a file with no signature, or one signed under a master key this database does not have (never an altered one)",
      false,
    )
    .addHelpText(
      "after",
      examples([
        ["See what a backup would restore, and every conflict", "intg connections restore intg-backup.json --dry-run"],
        [
          "Restore it, with the passphrase from a file",
          "intg connections restore intg-backup.json --passphrase-file ./passphrase.txt",
        ],
      ]),
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
