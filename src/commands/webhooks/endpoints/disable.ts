import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { addReasonFlag, setStateAction } from "./endpoint-state.js";
import { examples } from "../../examples.js";

export function registerDisable(endpoints: Command, context: ContextFactory): void {
  addReasonFlag(
    endpoints
      .command("disable <id>")
      .description("Stop delivering to an endpoint; its pending deliveries are cancelled (kept for replay)")
      .addHelpText(
        "after",
        examples([
          [
            "Stop delivering to an endpoint, saying why",
            "intg webhooks endpoints disable ep_01JD8R2N5T --reason 'receiver down for maintenance'",
          ],
          ["The same as JSON", "intg webhooks endpoints disable ep_01JD8R2N5T --json"],
        ]),
      ),
  ).action(setStateAction(context, false));
}
