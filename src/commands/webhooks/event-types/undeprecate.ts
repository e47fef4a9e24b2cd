import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { deprecationAction } from "./deprecation.js";
import { examples } from "../../examples.js";

export function registerUndeprecate(types: Command, context: ContextFactory): void {
  types
    .command("undeprecate <name>")
    .description("Take the deprecation back")
    .addHelpText(
      "after",
      examples([["Take a deprecation back", "intg webhooks event-types undeprecate invoice.updated"]]),
    )
    .action(deprecationAction(context, false));
}
