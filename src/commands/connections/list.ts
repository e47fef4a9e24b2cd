import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { CONNECTION_FIELDS } from "../../types/integration/integration.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { listConnections } from "../../services/connections/rows.js";
import { printConnections } from "./render.js";
import { addSelectFlags, type SelectFlags, toSelection } from "./select-flags.js";
import { examples } from "../examples.js";

export function registerList(connections: Command, context: ContextFactory): void {
  const command = addSelectFlags(
    jsonFields(connections.command("list"), CONNECTION_FIELDS)
      .alias("ls")
      .description("List connections with their status (never their credentials)"),
  );
  command.addHelpText(
    "after",
    examples([
      ["List connections and their status", "intg connections list"],
      [
        "Production connections that are unhealthy or whose credential was refused",
        "intg connections list --environment production --status unhealthy,credentials_invalid",
      ],
      ["Connections to Stripe, as JSON", "intg connections list --provider stripe --json"],
    ]),
  );
  command.action(async (flags: SelectFlags, cmd: Command) => {
    const ctx = context(cmd);
    const filter = toSelection(flags);
    await printConnections(ctx, await listConnections(await ctx.services(), filter));
  });
}
