import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { addReasonFlag, setStateAction } from "./endpoint-state.js";

export function registerDisable(endpoints: Command, context: ContextFactory): void {
  addReasonFlag(
    endpoints
      .command("disable <id>")
      .description("Stop delivering to an endpoint; its pending deliveries are cancelled (kept for replay)"),
  ).action(setStateAction(context, false));
}
