import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { showEndpoint } from "../../../services/webhooks/endpoint-rows.js";
import { printEndpoint } from "../render.js";

export function registerShow(endpoints: Command, context: ContextFactory): void {
  endpoints
    .command("show <id>")
    .description("Show one endpoint's settings (never its secret)")
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printEndpoint(ctx, await showEndpoint(await ctx.services(), id));
    });
}
