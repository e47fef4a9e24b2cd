import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerHead } from "./head.js";
import { registerList } from "./list.js";
import { registerVerify } from "./verify.js";
import { examples } from "../examples.js";

export function registerAudit(audit: Command, context: ContextFactory): void {
  audit.addHelpText(
    "after",
    examples([
      ["The newest audit events", "intg audit list"],
      ["Check that nobody edited the log (exit 3 if they did)", "intg audit verify"],
      ["Keep the head outside the database, to check against later", "intg audit head > last-audit-head"],
    ]),
  );
  registerList(audit, context);
  registerVerify(audit, context);
  registerHead(audit, context);
}
