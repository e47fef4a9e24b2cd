import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { showConnection } from "../../services/connections/rows.js";
import { printConnection } from "./render.js";

export function registerShow(connections: Command, context: ContextFactory): void {
  connections
    .command("show <id>")
    .description("Show one connection: provider, status, which credential (never its value)")
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printConnection(ctx, await showConnection(await ctx.services(), id));
    });
}
