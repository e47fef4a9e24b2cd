import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { SECRETS_STATUS_FIELDS } from "../../types/secrets.fields.js";
import type { CommandContext } from "../../cli/context.js";
import { CredentialError, PendingError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { MASTER_KEY_ENV } from "../../services/secrets/master-key.js";
import { secretsStatus } from "../../services/secrets/status.js";
import type { SecretsStatus } from "../../types/secrets.types.js";
import { examples } from "../examples.js";

export function registerStatus(secrets: Command, context: ContextFactory): void {
  jsonFields(secrets.command("status"), SECRETS_STATUS_FIELDS)
    .description("Count secrets per master key id; exits 8 while some await re-encryption, 4 when some cannot be read")
    .addHelpText(
      "after",
      examples([
        ["Count secrets per master key (exit 8 while some await re-encryption)", "intg secrets status"],
        ["As JSON", "intg secrets status --json"],
      ]),
    )
    .action(async (_opts, cmd: Command) => void (await runStatus(context(cmd))));
}

export async function runStatus(ctx: CommandContext): Promise<SecretsStatus> {
  const status = await secretsStatus(await ctx.services());
  if (ctx.out.json) ctx.out.printJson(status);
  else await render(ctx, status);
  // The report is printed first; the exit code then tells CI whether anything needs doing.
  if (status.total > 0 && status.currentKeyId === null) {
    throw new CredentialError(
      `No master key: ${status.total} secret(s) cannot be read.`,
      `Set ${MASTER_KEY_ENV} (base64 of 32 bytes).`,
      "MASTER_KEY_MISSING",
    );
  }
  if (status.unreadable > 0) {
    const ids = status.keys.filter((k) => !k.available).map((k) => k.masterKeyId);
    throw new CredentialError(
      `${status.unreadable} secret(s) are under master key(s) that are not available: ${ids.join(", ")}.`,
      undefined,
      "MASTER_KEY_UNAVAILABLE",
    );
  }
  if (status.notUnderCurrent > 0) {
    throw new PendingError(
      `${status.notUnderCurrent} secret(s) are not under the current master key yet.`,
      "Run: intg secrets rotate-master-key",
      "REENCRYPTION_PENDING",
    );
  }
  return status;
}

async function render(ctx: CommandContext, status: SecretsStatus): Promise<void> {
  const source =
    status.keySource === "env"
      ? MASTER_KEY_ENV
      : status.keySource === "file"
        ? `key file ${status.keyFile}`
        : "none yet";
  ctx.out.info(`Current master key: ${status.currentKeyId ?? "none"} (${source})`);
  if (status.keys.length > 0) {
    const yesNo = (b: boolean) => (b ? "yes" : "no");
    await ctx.out.table(
      ["MASTER KEY", "SECRETS", "CURRENT", "AVAILABLE"],
      status.keys.map((k) => [k.masterKeyId, k.secrets, yesNo(k.current), yesNo(k.available)]),
    );
  }
  if (status.total > 0 && status.notUnderCurrent === 0)
    ctx.out.success(`All ${status.total} secret(s) are under the current master key.`);
}
