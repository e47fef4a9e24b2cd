import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { DATABASE_STATUS_FIELDS } from "../../types/database.fields.js";
import { PendingError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import type { CommandContext } from "../../cli/context.js";
import { getDatabaseStatus, migrateDatabase } from "../../services/db/status.js";
import type { DatabaseStatus } from "../../types/database.types.js";
import { examples } from "../examples.js";

export function registerStatus(db: Command, context: ContextFactory): void {
  jsonFields(db.command("status"), DATABASE_STATUS_FIELDS)
    .description("List applied and pending migrations; exits 8 when any is pending")
    .addHelpText(
      "after",
      examples([
        ["List applied and pending migrations (exit 8 when any is pending)", "intg db status"],
        [
          "Check a shared PostgreSQL database, as JSON",
          "intg db status --db postgresql://intg@db.internal:5432/intg --json",
        ],
      ]),
    )
    .action(async (_opts, cmd: Command) => void (await runStatus(context(cmd))));
}

export async function runStatus(ctx: CommandContext): Promise<DatabaseStatus> {
  const target = ctx.target();
  let status = await getDatabaseStatus(target);
  // The embedded default migrates itself on first use, here as for every other command; the
  // state is read again only when something was pending.
  if (target.embedded && status.pending.length > 0) {
    const { applied } = await migrateDatabase(target, { dryRun: false });
    if (applied.length > 0)
      ctx.out.info(`Migrated the embedded database at ${target.file} (${applied.length} applied).`);
    status = await getDatabaseStatus(target);
  }
  if (ctx.out.json) ctx.out.printJson(status);
  else await renderStatus(ctx, status);
  if (status.pending.length > 0) {
    throw new PendingError(
      `${status.pending.length} migration(s) pending.`,
      "Run: intg db migrate",
      "MIGRATIONS_PENDING",
    );
  }
  if (status.drifted.length > 0)
    ctx.out.warn(`applied migrations not known to this intg: ${status.drifted.join(", ")}`);
  return status;
}

async function renderStatus(ctx: CommandContext, status: DatabaseStatus): Promise<void> {
  const rows = [
    ...status.applied.map((m) => [m.name, m.appliedAt ? "applied" : "failed", m.appliedAt ?? ""]),
    ...status.pending.map((name) => [name, "pending", ""]),
  ];
  ctx.out.info(`${status.provider} ${status.url}`);
  await ctx.out.table(["MIGRATION", "STATE", "APPLIED AT"], rows);
  if (status.upToDate) ctx.out.success("Database schema is up to date.");
}
