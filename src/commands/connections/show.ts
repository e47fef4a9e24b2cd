import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { CONNECTION_FIELDS } from "../../types/integration/integration.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { showConnection } from "../../services/connections/rows.js";
import { printConnection } from "./render.js";
import { examples } from "../examples.js";

export function registerShow(connections: Command, context: ContextFactory): void {
  jsonFields(connections.command("show <id>"), CONNECTION_FIELDS)
    .description("Show one connection: provider, status, which credential (never its value)")
    .addHelpText(
      "after",
      examples([
        ["Show one connection", "intg connections show conn_01JD8T6B9C"],
        ["The same as JSON", "intg connections show conn_01JD8T6B9C --json"],
      ]),
    )
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printConnection(ctx, await showConnection(await ctx.services(), id));
    });
}
