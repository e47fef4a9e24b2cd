import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { ENDPOINT_FIELDS } from "../../../types/integration/webhook.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { updateEndpoint } from "../../../services/webhooks/update-endpoint.js";
import { addEndpointFlags, readHeaderFlags, toUpdateInput, type EndpointFlags } from "../endpoint-flags.js";
import { printEndpoint } from "../render.js";
import { examples } from "../../examples.js";

export function registerUpdate(endpoints: Command, context: ContextFactory): void {
  addEndpointFlags(
    jsonFields(endpoints.command("update <id>"), ENDPOINT_FIELDS).description(
      "Change an endpoint's settings; only the flags given change",
    ),
    true,
  )
    .option("--url <url>", "a new URL (checked like create)")
    .addHelpText(
      "after",
      examples([
        [
          "Change which events an endpoint receives",
          "intg webhooks endpoints update ep_01JD8R2N5T --events 'invoice.*,customer.created'",
        ],
        [
          "Give it a longer timeout and a shorter retry schedule",
          "intg webhooks endpoints update ep_01JD8R2N5T --timeout 30s --retry-schedule 10s,1m,10m,1h",
        ],
        [
          "Let a slow receiver hold at most 4 of a worker's lanes at once",
          "intg webhooks endpoints update ep_01JD8R2N5T --max-in-flight 4",
        ],
        [
          "Remove its transformation and its rate limit",
          "intg webhooks endpoints update ep_01JD8R2N5T --transform none --rate-limit none",
        ],
      ]),
    )
    .action(async (id: string, flags: EndpointFlags, cmd: Command) => {
      const ctx = context(cmd);
      const changes = toUpdateInput(flags, await readHeaderFlags(ctx, flags));
      const updated = await updateEndpoint(await ctx.services(), id, changes, { warn: (m) => ctx.out.warn(m) });
      if (ctx.out.json) return ctx.out.printJson(updated);
      await printEndpoint(ctx, updated);
      ctx.out.success(`Updated ${id}.`);
    });
}
