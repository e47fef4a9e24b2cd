import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { addReasonFlag, setStateAction } from "./connection-state.js";

export function registerDisable(connections: Command, context: ContextFactory): void {
  addReasonFlag(
    connections.command("disable <id>").description("Disable a connection: checks and requests skip it"),
  ).action(setStateAction(context, false));
}
