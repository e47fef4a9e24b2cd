import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerExport } from "./export.js";
import { registerHistory } from "./history.js";
import { registerImport } from "./import.js";
import { registerLink } from "./link.js";
import { registerList } from "./list.js";
import { registerLookup } from "./lookup.js";
import { registerMappings } from "./mappings/index.js";
import { registerMetrics } from "./metrics.js";
import { registerShare } from "./share/index.js";
import { registerShow } from "./show.js";
import { registerTransform } from "./transform.js";
import { registerUnlink } from "./unlink.js";

export function registerRefs(refs: Command, context: ContextFactory): void {
  registerLink(refs, context);
  registerUnlink(refs, context);
  registerList(refs, context);
  registerShow(refs, context);
  registerLookup(refs, context);
  registerHistory(refs, context);
  registerImport(refs, context);
  registerExport(refs, context);
  registerMappings(refs, context);
  registerTransform(refs, context);
  registerMetrics(refs, context);
  registerShare(refs, context);
}
