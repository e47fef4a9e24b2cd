import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { CONNECTION_FIELDS } from "../../types/integration/integration.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { addReasonFlag, setStateAction } from "./connection-state.js";
import { examples } from "../examples.js";

export function registerDisable(connections: Command, context: ContextFactory): void {
  const command = addReasonFlag(
    jsonFields(connections.command("disable <id>"), CONNECTION_FIELDS).description(
      "Disable a connection: checks and requests skip it",
    ),
  );
  command.addHelpText(
    "after",
    examples([
      [
        "Disable a connection, saying why",
        "intg connections disable conn_01JD8T6B9C --reason 'key revoked by the provider'",
      ],
      ["The same as JSON", "intg connections disable conn_01JD8T6B9C --json"],
    ]),
  );
  command.action(setStateAction(context, false));
}
