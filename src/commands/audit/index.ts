import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerHead } from "./head.js";
import { registerList } from "./list.js";
import { registerVerify } from "./verify.js";

export function registerAudit(audit: Command, context: ContextFactory): void {
  registerList(audit, context);
  registerVerify(audit, context);
  registerHead(audit, context);
}
