import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { deprecationAction } from "./deprecation.js";

export function registerUndeprecate(types: Command, context: ContextFactory): void {
  types
    .command("undeprecate <name>")
    .description("Take the deprecation back")
    .action(deprecationAction(context, false));
}
