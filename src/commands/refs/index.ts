import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerExport } from "./export.js";
import { registerHistory } from "./history.js";
import { registerImport } from "./import.js";
import { registerLink } from "./link.js";
import { registerList } from "./list.js";
import { registerLookup } from "./lookup.js";
import { registerUnlink } from "./unlink.js";

export function registerRefs(refs: Command, context: ContextFactory): void {
  registerLink(refs, context);
  registerUnlink(refs, context);
  registerList(refs, context);
  registerLookup(refs, context);
  registerHistory(refs, context);
  registerImport(refs, context);
  registerExport(refs, context);
}
