import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { TEMPLATE_FIELDS } from "../../types/integration/integration.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { printTemplates } from "./render.js";
import { examples } from "../examples.js";

export function registerTemplates(providers: Command, context: ContextFactory): void {
  jsonFields(providers.command("templates"), TEMPLATE_FIELDS)
    .description("List the built-in catalog of well-known APIs (create one with --from-template)")
    .addHelpText(
      "after",
      examples([
        ["List the built-in templates", "intg providers templates"],
        ["Then create a provider from one", "intg providers create --from-template stripe"],
      ]),
    )
    .action(async (_flags, cmd: Command) => {
      // The catalog is built in: no database is opened.
      const { listTemplates } = await import("../../services/providers/catalog.js");
      await printTemplates(context(cmd), listTemplates());
    });
}
