import type { Command } from "commander";
import { parseEnumList, parseIntFlag, parseWhenFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { listDeliveries, showDelivery, type DeliveryFilter } from "../../services/webhooks/deliveries.js";
import { DeliveryStatus } from "../../types/enums.js";
import { printDeliveries } from "./render.js";

interface ListFlags {
  status?: string;
  endpoint?: string;
  event?: string;
  since?: string;
  limit: string;
}

export function registerDeliveries(noun: Command, context: ContextFactory): void {
  const deliveries = noun
    .command("deliveries")
    .description("Deliveries: one event to one endpoint, across its attempts");
  deliveries
    .command("list")
    .alias("ls")
    .description("List deliveries, newest first")
    .option("--status <s,...>", "pending, sending, delivered, failed, cancelled")
    .option("--endpoint <id>", "deliveries to this endpoint")
    .option("--event <id>", "deliveries of this event")
    .option("--since <when>", "created within a duration (24h) or since a date (2026-01-31)")
    .option("--limit <n>", "at most this many", "100")
    .action(async (flags: ListFlags, cmd: Command) => {
      const ctx = context(cmd);
      const filter: DeliveryFilter = {
        endpointId: flags.endpoint,
        eventId: flags.event,
        limit: parseIntFlag("--limit", flags.limit, 1, 10_000),
      };
      if (flags.status) filter.status = parseEnumList("--status", flags.status, DeliveryStatus);
      if (flags.since) filter.since = parseWhenFlag("--since", flags.since, ctx.now());
      await printDeliveries(ctx, await listDeliveries(await ctx.services(), filter));
    });
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
