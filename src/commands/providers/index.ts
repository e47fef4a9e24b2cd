import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerCreate } from "./create.js";
import { registerDeprecate } from "./deprecate.js";
import { registerExport } from "./export.js";
import { registerImport } from "./import.js";
import { registerList } from "./list.js";
import { registerShow } from "./show.js";
import { registerTemplates } from "./templates.js";
import { registerUpdate } from "./update.js";

export function registerProviders(providers: Command, context: ContextFactory): void {
  registerList(providers, context);
  registerShow(providers, context);
  registerTemplates(providers, context);
  registerCreate(providers, context);
  registerUpdate(providers, context);
  registerDeprecate(providers, context);
  registerImport(providers, context);
  registerExport(providers, context);
}
