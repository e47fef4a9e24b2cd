import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { ENDPOINT_FIELDS } from "../../../types/integration/webhook.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { addReasonFlag, setStateAction } from "./endpoint-state.js";
import { examples } from "../../examples.js";

export function registerEnable(endpoints: Command, context: ContextFactory): void {
  addReasonFlag(
    jsonFields(endpoints.command("enable <id>"), ENDPOINT_FIELDS)
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
