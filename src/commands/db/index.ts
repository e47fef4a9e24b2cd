import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerInfo } from "./info.js";
import { registerMigrate } from "./migrate.js";
import { registerStatus } from "./status.js";

export function registerDb(db: Command, context: ContextFactory): void {
  db.addHelpText(
    "after",
    "\nThe database is --db, else INTG_DATABASE_URL, else DATABASE_URL, else the embedded SQLite file\n$XDG_DATA_HOME/intg/intg.db (~/.local/share/intg/intg.db), which migrates itself on first use.",
  );
  registerStatus(db, context);
  registerMigrate(db, context);
  registerInfo(db, context);
}
