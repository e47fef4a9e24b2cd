import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { DELIVERY_METRICS_FIELDS } from "../../types/integration/webhook-delivery.fields.js";
import type { CommandContext } from "../../cli/context.js";
import { UsageError } from "../../errors.js";
import { sinceOption } from "../../cli/flags.js";
import { parseWhenFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { formatDuration } from "../../lib/duration.js";
import { sparkline } from "../../lib/sparkline.js";
import { computeMetrics } from "../../services/webhooks/metrics/compute.js";
import type { WebhookDeliveryMetrics } from "../../types/integration/webhook.types.js";
import { examples } from "../examples.js";

interface MetricsFlags {
  endpoint?: string;
  since: string;
}

export function registerMetrics(noun: Command, context: ContextFactory): void {
  jsonFields(noun.command("metrics"), DELIVERY_METRICS_FIELDS)
    .description(
      "Per endpoint: success rate, attempts per delivery, p50/p95/p99 latency, backlog, and deliveries/failures over time",
    )
    .option("--endpoint <id>", "only this endpoint")
    .addOption(sinceOption("the window: deliveries created since", "24h"))
    .addHelpText(
      "after",
      "\nsuccess = delivered / (delivered + failed); deliveries still retrying are the backlog. On a terminal a\n" +
        "chart follows the table: attempts that delivered and that failed, per time bucket (--json has the series).",
    )
    .addHelpText(
      "after",
      examples([
        ["Per-endpoint metrics over the last 24 hours", "intg webhooks metrics"],
        [
          "One endpoint over the last week, as JSON",
          "intg webhooks metrics --endpoint ep_01JD8R2N5T --since 7d --json",
        ],
      ]),
    )
    .action(async (flags: MetricsFlags, cmd: Command) => {
      const ctx = context(cmd);
      const until = ctx.now();
      const since = parseWhenFlag("--since", flags.since, until);
      if (since >= until) throw new UsageError("--since must be in the past.");
      const results = await computeMetrics(await ctx.services(), { endpointId: flags.endpoint ?? null, since, until });
      if (ctx.out.json) return ctx.out.printJson(results);
      await ctx.out.table(
        ["ENDPOINT", "DELIVERIES", "DELIVERED", "FAILED", "SUCCESS", "ATTEMPTS/DLV", "P50", "P95", "P99", "BACKLOG"],
        results.map((m) => [
          m.endpointId,
          m.deliveries,
          m.delivered,
          m.failed,
          m.successRate === null ? "-" : `${(m.successRate * 100).toFixed(1)}%`,
          m.attemptsPerDelivery === null ? "-" : m.attemptsPerDelivery.toFixed(2),
          ms(m.latencyMs.p50),
          ms(m.latencyMs.p95),
          ms(m.latencyMs.p99),
          m.backlog.size === 0 ? "0" : `${m.backlog.size} (oldest ${formatDuration(m.backlog.oldestAgeMs ?? 0)})`,
        ]),
      );
      // The chart is for a person at a terminal; a pipe gets the same table without it.
      if (ctx.deps.io.stdoutIsTTY) ctx.out.print(chart(ctx, results));
      if (results.length === 0) ctx.out.info("No endpoints.");
    });
}

const ms = (v: number | null) => (v === null ? "-" : `${v}ms`);

export function chart(ctx: CommandContext, results: WebhookDeliveryMetrics[]): string {
  const c = ctx.out.color;
  const width = Math.max(0, ...results.map((m) => m.endpointId.length));
  return results
    .map((m) => {
      // One scale for both lines of an endpoint, so a failure bar and a delivery bar compare.
      const max = Math.max(0, ...m.series.map((b) => Math.max(b.delivered, b.failed)));
      const pad = " ".repeat(width);
      const first = m.series[0]?.start ?? m.window.since;
      return [
        `${m.endpointId.padEnd(width)}  delivered ${c.green(
          sparkline(
            m.series.map((b) => b.delivered),
            max,
          ),
        )}`,
        `${pad}  failed    ${c.red(
          sparkline(
            m.series.map((b) => b.failed),
            max,
          ),
        )}`,
        `${pad}  ${c.dim(`from ${first}, ${formatDuration(m.bucketMs)} per bar, tallest ${max}`)}`,
      ].join("\n");
    })
    .join("\n");
}
