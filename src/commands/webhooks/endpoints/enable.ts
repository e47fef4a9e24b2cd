import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { addReasonFlag, setStateAction } from "./endpoint-state.js";
import { examples } from "../../examples.js";

export function registerEnable(endpoints: Command, context: ContextFactory): void {
  addReasonFlag(
    endpoints
      .command("enable <id>")
      .description("Enable a disabled endpoint; new events reach it again")
      .addHelpText(
        "after",
        examples([
          ["Enable an endpoint again", "intg webhooks endpoints enable ep_01JD8R2N5T"],
          ["Saying why, for the audit log", "intg webhooks endpoints enable ep_01JD8R2N5T --reason 'receiver fixed'"],
        ]),
      ),
  ).action(setStateAction(context, true));
}
