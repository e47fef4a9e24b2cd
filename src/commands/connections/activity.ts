import type { Command } from "commander";
import type { CommandContext } from "../../cli/context.js";
import { parseIntFlag, parseWhenFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { connectionAnalytics } from "../../services/connections/analytics.js";
import { listEvents } from "../../services/connections/events.js";

/** `--since 7d` (a duration ago) or `--since 2026-01-31` (a date). */
export const parseSince = (ctx: CommandContext, text: string): Date => parseWhenFlag("--since", text, ctx.now());

export const parseLimit = (text: string): number => parseIntFlag("--limit", text, 1, 10_000);

const pct = (v: number | null) => (v === null ? "" : `${(v * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? "" : `${v} ms`);

export function registerActivity(connections: Command, context: ContextFactory): void {
  connections
    .command("events <id>")
    .description(
      "What happened to a connection: status changes, credentials replaced, refreshed or refused, disabled, enabled",
    )
    .option("--since <when>", "only events since a duration ago (7d) or a date")
    .option("--limit <n>", "at most this many, newest first", "100")
    .action(async (id: string, flags: { since?: string; limit: string }, cmd: Command) => {
      const ctx = context(cmd);
      const since = flags.since === undefined ? undefined : parseSince(ctx, flags.since);
      const events = await listEvents(await ctx.services(), id, { since, limit: parseLimit(flags.limit) });
      if (ctx.out.json) return ctx.out.printJson(events);
      if (events.length === 0) return ctx.out.info("No events.");
      await ctx.out.table(
        ["ID", "WHEN", "EVENT", "STATUS", "MESSAGE"],
        events.map((e) => [
          e.id,
          e.createdAt,
          e.kind,
          `${e.previousStatus ? `${e.previousStatus.toLowerCase()} -> ` : ""}${e.status.toLowerCase()}`,
          e.message ?? "",
        ]),
      );
    });
  connections
    .command("analytics [id]")
    .description("Requests, error rate, latency percentiles and health-check uptime, per connection")
    .option("--since <when>", "the window's start: a duration ago (7d) or a date", "7d")
    .action(async (id: string | undefined, flags: { since: string }, cmd: Command) => {
      const ctx = context(cmd);
      const since = parseSince(ctx, flags.since);
      const stats = await connectionAnalytics(await ctx.services(), { connectionId: id, since, until: ctx.now() });
      if (ctx.out.json) return ctx.out.printJson(stats);
      if (stats.length === 0) return ctx.out.info("No connections.");
      await ctx.out.table(
        ["CONNECTION", "PROVIDER", "ENV", "REQUESTS", "ERRORS", "429", "P50", "P95", "P99", "CHECKS", "UPTIME"],
        stats.map((s) => [
          s.connectionId,
          s.providerSlug,
          s.environment.toLowerCase(),
          s.requests,
          pct(s.errorRate),
          s.rateLimited,
          ms(s.latencyMs.p50),
          ms(s.latencyMs.p95),
          ms(s.latencyMs.p99),
          s.healthChecks,
          pct(s.uptime),
        ]),
      );
    });
}
