import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { registerDelete } from "./delete.js";
import { registerList } from "./list.js";
import { registerSet } from "./set.js";
import { registerShow } from "./show.js";

export function registerMappings(refs: Command, context: ContextFactory): void {
  const mappings = refs
    .command("mappings")
    .description("How a provider's records become the platform's: field mappings, transformations, validations");
  registerSet(mappings, context);
  registerShow(mappings, context);
  registerList(mappings, context);
  registerDelete(mappings, context);
}
