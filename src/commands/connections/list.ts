import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { listConnections } from "../../services/connections/rows.js";
import { printConnections } from "./render.js";
import { addSelectFlags, type SelectFlags, toSelection } from "./select-flags.js";

export function registerList(connections: Command, context: ContextFactory): void {
  addSelectFlags(
    connections.command("list").alias("ls").description("List connections with their status (never their credentials)"),
  ).action(async (flags: SelectFlags, cmd: Command) => {
    const ctx = context(cmd);
    const filter = toSelection(flags);
    await printConnections(ctx, await listConnections(await ctx.services(), filter));
  });
}
