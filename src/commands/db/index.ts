import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerInfo } from "./info.js";
import { registerMigrate } from "./migrate.js";
import { registerStatus } from "./status.js";
import { examples } from "../examples.js";

export function registerDb(db: Command, context: ContextFactory): void {
  db.addHelpText(
    "after",
    "\nThe database is --db, else INTG_DATABASE_URL, else DATABASE_URL, else the embedded SQLite file\n$XDG_DATA_HOME/intg/intg.db (~/.local/share/intg/intg.db), which migrates itself on first use.",
  );
  db.addHelpText(
    "after",
    examples([
      ["List applied and pending migrations (exit 8 when any is pending)", "intg db status"],
      ["Migrate a shared PostgreSQL database", "intg db migrate --db postgresql://intg@db.internal:5432/intg"],
      ["Show which database is in use", "intg db info"],
    ]),
  );
  registerStatus(db, context);
  registerMigrate(db, context);
  registerInfo(db, context);
}
