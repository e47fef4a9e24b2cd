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
import { examples } from "../examples.js";

export function registerProviders(providers: Command, context: ContextFactory): void {
  providers.addHelpText(
    "after",
    examples([
      ["List the built-in templates", "intg providers templates"],
      ["Create a provider from one", "intg providers create --from-template stripe"],
      ["List providers", "intg providers list"],
      ["Keep provider definitions in a file under version control", "intg providers export --out providers.yaml"],
    ]),
  );
  registerList(providers, context);
  registerShow(providers, context);
  registerTemplates(providers, context);
  registerCreate(providers, context);
  registerUpdate(providers, context);
  registerDeprecate(providers, context);
  registerImport(providers, context);
  registerExport(providers, context);
}
