import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { showDelivery } from "../../../services/webhooks/deliveries.js";

export function registerShow(deliveries: Command, context: ContextFactory): void {
  deliveries
    .command("show <id>")
    .description(
      "One delivery: its event, the exact body its last request signed and sent, its endpoint, every attempt",
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
      if (info.attempts.length) {
        await ctx.out.table(
          ["#", "STARTED", "STATUS", "DURATION", "ERROR"],
          info.attempts.map((a) => [
            a.attemptNumber,
            a.startedAt,
            a.statusCode ?? "",
            `${a.durationMs}ms`,
            a.error ?? "",
          ]),
        );
      }
    });
}
