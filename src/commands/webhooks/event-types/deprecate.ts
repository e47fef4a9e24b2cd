import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { EVENT_TYPE_FIELDS } from "../../../types/integration/webhook.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { deprecationAction } from "./deprecation.js";
import { examples } from "../../examples.js";

export function registerDeprecate(types: Command, context: ContextFactory): void {
  jsonFields(types.command("deprecate <name>"), EVENT_TYPE_FIELDS)
    .description("Mark an event type deprecated: it still sends, with a warning")
    .addHelpText(
      "after",
      examples([
        [
          "Deprecate an event type: it still sends, with a warning",
          "intg webhooks event-types deprecate invoice.updated",
        ],
      ]),
    )
    .action(deprecationAction(context, true));
}
