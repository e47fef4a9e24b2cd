import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { createEndpoint } from "../../../services/webhooks/create-endpoint.js";
import { addEndpointFlags, readHeaderFlags, toCreateInput, type EndpointFlags } from "../endpoint-flags.js";

export function registerCreate(endpoints: Command, context: ContextFactory): void {
  addEndpointFlags(
    endpoints.command("create").description("Create an endpoint; its whsec_ signing secret is printed once, on stdout"),
    false,
  )
    .option("--url <url>", "where deliveries are POSTed (http or https)")
    .addHelpText(
      "after",
      "\nThe secret is stored encrypted under the master key, and so are extra header values (shown as [redacted]). With --json the secret is in the field `secret`, only here.\nPrivate, loopback and link-local addresses are refused unless --allow-private-network or INTG_ALLOW_PRIVATE_NETWORKS=1.",
    )
    .action(async (flags: EndpointFlags, cmd: Command) => {
      const ctx = context(cmd);
      const input = toCreateInput(flags, await readHeaderFlags(ctx, flags)); // before the database: bad flags write nothing
      const created = await createEndpoint(await ctx.services(), input, { warn: (m) => ctx.out.warn(m) });
      if (ctx.out.json) return ctx.out.printJson(created, { shownOnce: true });
      // stdout carries the secret alone, so `SECRET=$(intg webhooks endpoints create …)` works.
      ctx.out.print(created.secret);
      ctx.out.success(
        `Created ${created.id} (${created.url}). Store the signing secret now: it cannot be shown again.`,
      );
    });
}
