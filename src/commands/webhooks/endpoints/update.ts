import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { updateEndpoint } from "../../../services/webhooks/update-endpoint.js";
import { addEndpointFlags, readHeaderFlags, toUpdateInput, type EndpointFlags } from "../endpoint-flags.js";
import { printEndpoint } from "../render.js";

export function registerUpdate(endpoints: Command, context: ContextFactory): void {
  addEndpointFlags(
    endpoints.command("update <id>").description("Change an endpoint's settings; only the flags given change"),
    true,
  )
    .option("--url <url>", "a new URL (checked like create)")
    .action(async (id: string, flags: EndpointFlags, cmd: Command) => {
      const ctx = context(cmd);
      const changes = toUpdateInput(flags, await readHeaderFlags(ctx, flags));
      const updated = await updateEndpoint(await ctx.services(), id, changes, { warn: (m) => ctx.out.warn(m) });
      if (ctx.out.json) return ctx.out.printJson(updated);
      await printEndpoint(ctx, updated);
      ctx.out.success(`Updated ${id}.`);
    });
}
