import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { deprecationAction } from "./deprecation.js";

export function registerDeprecate(types: Command, context: ContextFactory): void {
  types
    .command("deprecate <name>")
    .description("Mark an event type deprecated: it still sends, with a warning")
    .action(deprecationAction(context, true));
}
