import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { MIGRATE_FIELDS } from "../../types/database.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import type { CommandContext } from "../../cli/context.js";
import { migrateDatabase } from "../../services/db/status.js";
import type { MigrateResult } from "../../types/database.types.js";
import { examples } from "../examples.js";

export function registerMigrate(db: Command, context: ContextFactory): void {
  jsonFields(db.command("migrate"), MIGRATE_FIELDS)
    .description("Apply pending migrations with Prisma's schema engine (recorded in _prisma_migrations)")
    .option("-n, --dry-run", "list what would be applied, change nothing", false)
    .addHelpText(
      "after",
      examples([
        ["Apply pending migrations to the database in use", "intg db migrate"],
        ["List what would be applied, change nothing", "intg db migrate --dry-run"],
        ["Migrate a shared PostgreSQL database", "intg db migrate --db postgresql://intg@db.internal:5432/intg"],
      ]),
    )
    .action(async (opts: { dryRun: boolean }, cmd: Command) => void (await runMigrate(context(cmd), opts)));
}

export async function runMigrate(ctx: CommandContext, opts: { dryRun: boolean }): Promise<MigrateResult> {
  const result = await migrateDatabase(ctx.target(), { dryRun: opts.dryRun });
  if (ctx.out.json) {
    ctx.out.printJson(result);
  } else if (result.applied.length === 0) {
    ctx.out.success(`Database schema is up to date (${result.url}).`);
  } else {
    for (const name of result.applied) ctx.out.print(name);
    const verb = opts.dryRun ? "would be applied" : "applied";
    ctx.out.info(`${result.applied.length} migration(s) ${verb} to ${result.url}.`);
  }
  return result;
}
