import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { BACKUP_FIELDS } from "../../types/integration/integration.fields.js";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { withPrivateFile } from "../../lib/private-file.js";
import type { IntegrationBackupSummary } from "../../types/integration/integration.types.js";
import { readPassphrase } from "./passphrase.js";
import { examples } from "../examples.js";

export function registerBackup(connections: Command, context: ContextFactory): void {
  jsonFields(connections.command("backup"), BACKUP_FIELDS)
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
    .addHelpText(
      "after",
      examples([
        [
          "Back up providers, connections and mappings (no credentials)",
          "intg connections backup --out intg-backup.json",
        ],
        [
          "Include the credentials, under a passphrase read from a file",
          "intg connections backup --out intg-backup.json --include-secrets --passphrase-file ./passphrase.txt",
        ],
      ]),
    )
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
}
