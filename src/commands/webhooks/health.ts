import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { HEALTH_FIELDS } from "../../types/integration/webhook-delivery.fields.js";
import { CheckFailedError, UsageError } from "../../errors.js";
import { durationOption, sinceOption } from "../../cli/flags.js";
import { parseDurationFlag, parseWhenFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { checkHealth } from "../../services/webhooks/health/check.js";
import { examples } from "../examples.js";

interface HealthFlags {
  endpoint?: string;
  all?: boolean;
  since: string;
  maxFailureRate: string;
  maxP95: string;
  maxBacklogAge: string;
  ping?: boolean;
}

export function registerHealth(noun: Command, context: ContextFactory): void {
  jsonFields(noun.command("health"), HEALTH_FIELDS)
    .description(
      "The CI gate: each endpoint's recent failure rate, p95 latency and backlog against limits; exits 3 when any breaks one",
    )
    .option("--endpoint <id>", "only this endpoint")
    .option("--all", "every endpoint, disabled ones included (the default)")
    .addOption(sinceOption("the window of attempts", "1h"))
    .option("--max-failure-rate <rate>", "the failed share of attempts allowed, e.g. 2% or 0.02", "2%")
    .addOption(durationOption("--max-p95 <duration>", "the p95 attempt latency allowed", "800ms"))
    .addOption(
      durationOption("--max-backlog-age <duration>", "how long the oldest undelivered delivery may wait", "5m"),
    )
    .option("--ping", "also send a signed webhook.ping to each enabled endpoint now; a failed ping breaks the gate")
    .addHelpText(
      "after",
      "\nA disabled endpoint always breaks the gate. Exit codes: 0 healthy, 3 not, 5 no such endpoint.",
    )
    .addHelpText(
      "after",
      examples([
        ["The CI gate over every endpoint's last hour (exit 3 when one breaks a limit)", "intg webhooks health"],
        [
          "Stricter limits for one endpoint, pinging it too",
          "intg webhooks health --endpoint ep_01JD8R2N5T --max-failure-rate 1% --max-p95 500ms --ping",
        ],
        ["Over the last day, as JSON", "intg webhooks health --since 24h --json"],
      ]),
    )
    .action(async (flags: HealthFlags, cmd: Command) => {
      const ctx = context(cmd);
      if (flags.endpoint && flags.all) throw new UsageError("Give --endpoint <id> or --all, not both.");
      const input = {
        endpointId: flags.endpoint ?? null,
        since: parseWhenFlag("--since", flags.since, ctx.now()),
        ping: Boolean(flags.ping),
        maxFailureRate: parseRate(flags.maxFailureRate),
        maxP95Ms: parseDurationFlag("--max-p95", flags.maxP95),
        maxBacklogAgeMs: parseDurationFlag("--max-backlog-age", flags.maxBacklogAge),
      };
      const results = await checkHealth(await ctx.services(), input);
      if (ctx.out.json) ctx.out.printJson(results);
      else {
        await ctx.out.table(
          ["ENDPOINT", "URL", "ATTEMPTS", "FAILED", "P95", "BACKLOG", "PING", "HEALTH"],
          results.map((r) => [
            r.endpointId,
            r.url,
            r.attempts,
            r.failureRate === null ? "-" : `${(r.failureRate * 100).toFixed(1)}%`,
            r.latencyMs.p95 === null ? "-" : `${r.latencyMs.p95}ms`,
            r.backlog.size === 0
              ? "0"
              : `${r.backlog.size} (oldest ${Math.round((r.backlog.oldestAgeMs ?? 0) / 1000)}s)`,
            r.ping === null
              ? "-"
              : r.ping.succeeded
                ? `${r.ping.statusCode} in ${r.ping.latencyMs}ms`
                : (r.ping.error ?? String(r.ping.statusCode)),
            r.healthy ? "ok" : r.violations.map((v) => v.message).join("; "),
          ]),
        );
      }
      const unhealthy = results.filter((r) => !r.healthy);
      if (unhealthy.length > 0)
        throw new CheckFailedError(
          `${unhealthy.length} of ${results.length} endpoint(s) unhealthy: ${unhealthy.map((r) => `${r.endpointId} (${r.violations.map((v) => v.threshold).join(", ")})`).join(", ")}.`,
          "WEBHOOKS_UNHEALTHY",
        );
      if (!ctx.out.json)
        ctx.out.info(results.length === 0 ? "No endpoints to check." : `${results.length} endpoint(s) healthy.`);
    });
}

/** "2%" or "0.02", as a ratio from 0 to 1. */
function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const rate = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(rate >= 0 && rate <= 1))
    throw new UsageError(`--max-failure-rate: "${text}" is not a rate.`, "Write it like 2% or 0.02.");
  return rate;
}
