import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { deprecationAction } from "./deprecation.js";
import { examples } from "../../examples.js";

export function registerDeprecate(types: Command, context: ContextFactory): void {
  types
    .command("deprecate <name>")
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
