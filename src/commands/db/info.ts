import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { DATABASE_INFO_FIELDS } from "../../types/database.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import type { CommandContext } from "../../cli/context.js";
import { getDatabaseInfo } from "../../services/db/status.js";
import type { DatabaseInfo } from "../../types/database.types.js";
import { examples } from "../examples.js";

export function registerInfo(db: Command, context: ContextFactory): void {
  jsonFields(db.command("info"), DATABASE_INFO_FIELDS)
    .description("Show which database is in use: provider, URL (password hidden), schema version")
    .addHelpText(
      "after",
      examples([
        ["Show which database is in use and its schema version", "intg db info"],
        ["The same for a SQLite file of your own, as JSON", "intg db info --db file:./intg.db --json"],
      ]),
    )
    .action(async (_opts, cmd: Command) => void (await runInfo(context(cmd))));
}

export async function runInfo(ctx: CommandContext): Promise<DatabaseInfo> {
  const info = await getDatabaseInfo(ctx.target());
  if (ctx.out.json) {
    ctx.out.printJson(info);
  } else {
    await ctx.out.details([
      ["provider", info.provider],
      ["url", info.url],
      ["source", info.source],
      ["embedded", info.embedded ? "yes" : "no"],
      ["schema version", info.schemaVersion ?? "(empty)"],
      ["pending migrations", info.pendingMigrations],
    ]);
  }
  return info;
}
