import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { ANALYTICS_FIELDS } from "../../types/integration/integration.fields.js";
import { sinceOption } from "../../cli/flags.js";
import type { ContextFactory } from "../../cli/program.js";
import { connectionAnalytics } from "../../services/connections/analytics.js";
import { parseSince } from "./flags.js";
import { examples } from "../examples.js";

const pct = (v: number | null) => (v === null ? "" : `${(v * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? "" : `${v} ms`);

export function registerAnalytics(connections: Command, context: ContextFactory): void {
  jsonFields(connections.command("analytics [id]"), ANALYTICS_FIELDS)
    .description("Requests, error rate, latency percentiles and health-check uptime, per connection")
    .addOption(sinceOption("the window's start", "7d"))
    .addHelpText(
      "after",
      examples([
        ["Requests, errors, latency and uptime of every connection over 7 days", "intg connections analytics"],
        ["One connection over 30 days, as JSON", "intg connections analytics conn_01JD8T6B9C --since 30d --json"],
      ]),
    )
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
