import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { ENDPOINT_FIELDS } from "../../../types/integration/webhook.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { addReasonFlag, setStateAction } from "./endpoint-state.js";
import { examples } from "../../examples.js";

export function registerDisable(endpoints: Command, context: ContextFactory): void {
  addReasonFlag(
    jsonFields(endpoints.command("disable <id>"), ENDPOINT_FIELDS)
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
