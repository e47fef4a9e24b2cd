import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { listEndpoints } from "../../../services/webhooks/endpoint-rows.js";
import { printEndpoints } from "../render.js";

export function registerList(endpoints: Command, context: ContextFactory): void {
  endpoints
    .command("list")
    .alias("ls")
    .description("List endpoints (never their secrets)")
    .action(async (_flags, cmd: Command) => {
      const ctx = context(cmd);
      await printEndpoints(ctx, await listEndpoints(await ctx.services()));
    });
}
