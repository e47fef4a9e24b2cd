import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { DELIVERY_DEBUG_FIELDS } from "../../../types/integration/webhook.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { showDelivery } from "../../../services/webhooks/deliveries.js";
import { examples } from "../../examples.js";
import { attemptsText } from "./attempts.js";

export function registerShow(deliveries: Command, context: ContextFactory): void {
  jsonFields(deliveries.command("show <id>"), DELIVERY_DEBUG_FIELDS)
    .description(
      "One delivery: its event, the exact body its last request signed and sent, its endpoint, every attempt",
    )
    .addHelpText(
      "after",
      examples([
        [
          "One delivery: its event, the body it sent, every attempt with its headers and response",
          "intg webhooks deliveries show dlv_01JD8RA1QZ",
        ],
        ["The same as JSON", "intg webhooks deliveries show dlv_01JD8RA1QZ --json"],
      ]),
    )
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      const info = await showDelivery(await ctx.services(), id);
      if (ctx.out.json) return ctx.out.printJson(info);
      const d = info.delivery;
      await ctx.out.details([
        ["id", d.id],
        ["event", `${d.eventId} (${d.eventType})`],
        ["endpoint", `${info.endpoint.id} (${info.endpoint.url}${info.endpoint.enabled ? "" : ", disabled"})`],
        ["status", d.status.toLowerCase()],
        ["attempts", d.attemptCount],
        ["next attempt", d.nextAttemptAt ?? ""],
        ["last status", d.lastStatusCode ?? ""],
        ["last error", d.lastError ?? ""],
        ["delivered", d.deliveredAt ?? ""],
        ["created", d.createdAt],
        ["body", info.body],
      ]);
      // The debugging view: every attempt with its headers and the start of each response.
      if (info.attempts.length) ctx.out.print(`\n${attemptsText(info.attempts)}`);
    });
}
