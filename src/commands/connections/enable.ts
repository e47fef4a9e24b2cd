import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { addReasonFlag, setStateAction } from "./connection-state.js";

export function registerEnable(connections: Command, context: ContextFactory): void {
  addReasonFlag(
    connections.command("enable <id>").description("Enable a disabled connection (pending until checked)"),
  ).action(setStateAction(context, true));
}
