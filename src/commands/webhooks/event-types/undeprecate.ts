import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { EVENT_TYPE_FIELDS } from "../../../types/integration/webhook.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { deprecationAction } from "./deprecation.js";
import { examples } from "../../examples.js";

export function registerUndeprecate(types: Command, context: ContextFactory): void {
  jsonFields(types.command("undeprecate <name>"), EVENT_TYPE_FIELDS)
    .description("Take the deprecation back")
    .addHelpText(
      "after",
      examples([["Take a deprecation back", "intg webhooks event-types undeprecate invoice.updated"]]),
    )
    .action(deprecationAction(context, false));
}
