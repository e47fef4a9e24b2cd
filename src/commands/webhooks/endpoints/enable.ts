import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { addReasonFlag, setStateAction } from "./endpoint-state.js";

export function registerEnable(endpoints: Command, context: ContextFactory): void {
  addReasonFlag(
    endpoints.command("enable <id>").description("Enable a disabled endpoint; new events reach it again"),
  ).action(setStateAction(context, true));
}
