import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { ENDPOINT_CREATED_FIELDS } from "../../../types/integration/webhook.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { createEndpoint } from "../../../services/webhooks/create-endpoint.js";
import { addEndpointFlags, readHeaderFlags, toCreateInput, type EndpointFlags } from "../endpoint-flags.js";
import { examples } from "../../examples.js";

export function registerCreate(endpoints: Command, context: ContextFactory): void {
  addEndpointFlags(
    jsonFields(endpoints.command("create"), ENDPOINT_CREATED_FIELDS).description(
      "Create an endpoint; its whsec_ signing secret is printed once, on stdout",
    ),
    false,
  )
    .option("--url <url>", "where deliveries are POSTed (http or https) (required)")
    .addHelpText(
      "after",
      "\nThe secret is stored encrypted under the master key, and so are extra header values (shown as [redacted]). With --json the secret is in the field `secret`, only here.\nPrivate, loopback and link-local addresses are refused unless --allow-private-network or INTG_ALLOW_PRIVATE_NETWORKS=1.",
    )
    .addHelpText(
      "after",
      examples([
        [
          "Deliver invoice events to an HTTPS endpoint; the signing secret is printed once",
          "intg webhooks endpoints create --url https://api.example.com/webhooks --events 'invoice.*'",
        ],
        [
          "Post every event to a Slack channel as a chat message",
          "intg webhooks endpoints create --url https://hooks.slack.com/services/T000/B000/XXXX --channel slack",
        ],
        [
          "Send a credential header read from a file, at most 50 deliveries a second",
          "intg webhooks endpoints create --url https://api.example.com/hooks --header-file auth.txt --rate-limit 50/s",
        ],
      ]),
    )
    .action(async (flags: EndpointFlags, cmd: Command) => {
      const ctx = context(cmd);
      const input = toCreateInput(flags, await readHeaderFlags(ctx, flags)); // before the database: bad flags write nothing
      const created = await createEndpoint(await ctx.services(), input, { warn: (m) => ctx.out.warn(m) });
      // stdout carries the secret alone, so `SECRET=$(intg webhooks endpoints create …)` works.
      ctx.printShownOnce(
        created,
        created.secret,
        `The endpoint ${created.id} was created, but stdout closed before its signing secret was written: rotate it (intg webhooks endpoints rotate-secret ${created.id} --grace 0).`,
      );
      if (ctx.out.json) return;
      ctx.out.success(
        `Created ${created.id} (${created.url}). Store the signing secret now: it cannot be shown again.`,
      );
    });
}
