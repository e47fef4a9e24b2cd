import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { CONNECTION_FIELDS } from "../../types/integration/integration.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { addReasonFlag, setStateAction } from "./connection-state.js";
import { examples } from "../examples.js";

export function registerEnable(connections: Command, context: ContextFactory): void {
  const command = addReasonFlag(
    jsonFields(connections.command("enable <id>"), CONNECTION_FIELDS).description(
      "Enable a disabled connection (pending until checked)",
    ),
  );
  command.addHelpText(
    "after",
    examples([
      ["Enable a connection again (pending until checked)", "intg connections enable conn_01JD8T6B9C"],
      ["Saying why, for the audit log", "intg connections enable conn_01JD8T6B9C --reason 'new key set'"],
    ]),
  );
  command.action(setStateAction(context, true));
}
