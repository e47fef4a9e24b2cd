import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { registerDelete } from "./delete.js";
import { registerList } from "./list.js";
import { registerSet } from "./set.js";
import { registerShow } from "./show.js";
import { examples } from "../../examples.js";

export function registerMappings(refs: Command, context: ContextFactory): void {
  const mappings = refs
    .command("mappings")
    .description("How a provider's records become the platform's: field mappings, transformations, validations");
  mappings.addHelpText(
    "after",
    examples([
      ["Create or replace a mapping from a file", "intg refs mappings set hubspot-contacts --file mapping.json"],
      ["List mappings", "intg refs mappings list"],
      ["Try a mapping on one record", "intg refs transform --mapping hubspot-contacts < contact.json"],
    ]),
  );
  registerSet(mappings, context);
  registerShow(mappings, context);
  registerList(mappings, context);
  registerDelete(mappings, context);
}
