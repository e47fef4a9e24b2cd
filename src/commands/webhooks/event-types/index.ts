import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { registerCreate } from "./create.js";
import { registerDelete } from "./delete.js";
import { registerDeprecate } from "./deprecate.js";
import { registerList } from "./list.js";
import { registerUndeprecate } from "./undeprecate.js";
import { registerUpdate } from "./update.js";
import { examples } from "../../examples.js";

export function registerEventTypes(webhooks: Command, context: ContextFactory): void {
  const types = webhooks
    .command("event-types")
    .description("The catalog of event types: send refuses a type not in it")
    .addHelpText(
      "after",
      examples([
        [
          "Add an event type with a schema",
          "intg webhooks event-types create invoice.paid --schema-file ./schemas/invoice.paid.json",
        ],
        ["List the event types", "intg webhooks event-types list"],
        ["Deprecate one", "intg webhooks event-types deprecate invoice.updated"],
      ]),
    );
  registerCreate(types, context);
  registerList(types, context);
  registerUpdate(types, context);
  registerDeprecate(types, context);
  registerUndeprecate(types, context);
  registerDelete(types, context);
}
