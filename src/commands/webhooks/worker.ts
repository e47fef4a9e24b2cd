import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { ATTEMPT_LINE_FIELDS } from "../../types/integration/webhook-delivery.fields.js";
import { durationOption } from "../../cli/flags.js";
import { parseDurationFlag, parseIntFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { VERSION } from "../../cli/version.js";
import { UsageError } from "../../errors.js";
import { formatDuration } from "../../lib/duration.js";
import type { Finished } from "../../services/webhooks/worker/record.js";
import { DEFAULT_DISABLE_AFTER_MS, runWorker } from "../../services/webhooks/worker/run.js";
import { withStoreThread } from "../../services/webhooks/worker/store-thread.js";
import { workerIdentity } from "../../services/webhooks/worker/presence.js";
import { watchWorker } from "../../services/webhooks/worker/watch.js";
import { attemptLine } from "./attempt-line.js";
import { parseLease, parsePoll } from "./lease-flag.js";
import { examples } from "../examples.js";

interface WorkerFlags {
  concurrency: string;
  once?: boolean;
  maxTime?: string;
  lease: string;
  disableAfter: string;
  poll: string;
  metricsPort?: string;
  metricsHost?: string;
}

export function registerWorker(noun: Command, context: ContextFactory): void {
  jsonFields(noun.command("worker"), ATTEMPT_LINE_FIELDS)
    .description("Send due deliveries: signed POSTs, retries on the endpoint's schedule, every attempt recorded")
    .option("--concurrency <n>", "requests in flight at once", "64")
    .option("--once", "send what is due now, then exit (for cron and tests)")
    .addOption(durationOption("--max-time <duration>", "stop after this long, e.g. 10m (in-flight attempts finish)"))
    .addOption(
      durationOption(
        "--lease <duration>",
        "how long a claimed delivery stays this worker's (1s to 1d); a crashed worker's claims are retried after it",
        "60s",
      ),
    )
    .addOption(
      durationOption(
        "--disable-after <duration>",
        "disable an endpoint after this long without a success",
        formatDuration(DEFAULT_DISABLE_AFTER_MS),
      ),
    )
    .addOption(durationOption("--poll <duration>", "how often to look for due work when idle (at most 1h)", "250ms"))
    .option("--metrics-port <port>", "serve Prometheus metrics on this port, at /metrics (0 picks a free one)")
    .option("--metrics-host <host>", "the address the metrics listen on (default: 127.0.0.1)")
    .addHelpText(
      "after",
      "\nSeveral workers may share one database (processes on one SQLite file, or machines on one PostgreSQL database); each\n" +
        "delivery is claimed by one of them. Each renews its leases every third of --lease, and that heartbeat is what\n" +
        "`intg webhooks workers` lists. SIGINT or SIGTERM stops it after the attempts in flight. --json prints one line\n" +
        "per attempt.",
    )
    .addHelpText(
      "after",
      examples([
        ["Deliver until stopped (Ctrl-C finishes the attempts in flight)", "intg webhooks worker"],
        ["From cron: send what is due now, then exit", "intg webhooks worker --once"],
        [
          "A worker on a shared PostgreSQL database, one JSON line per attempt",
          "intg webhooks worker --db postgresql://intg@db.internal:5432/intg --concurrency 128 --json",
        ],
        ["Serve Prometheus metrics for scraping on port 9464", "intg webhooks worker --metrics-port 9464"],
      ]),
    )
    .action(async (flags: WorkerFlags, cmd: Command) => {
      const ctx = context(cmd);
      // Its --json lines are a log: a log reader that dies must not stop delivery half done.
      ctx.deps.finishOnClosedPipe?.();
      const concurrency = parseIntFlag("--concurrency", flags.concurrency, 1, 1024);
      const leaseMs = parseLease(flags.lease);
      const maxTimeMs = flags.maxTime === undefined ? null : parseDurationFlag("--max-time", flags.maxTime);
      const disableAfterMs = parseDurationFlag("--disable-after", flags.disableAfter);
      const pollMs = parsePoll(flags.poll);
      const metricsPort =
        flags.metricsPort === undefined ? undefined : parseIntFlag("--metrics-port", flags.metricsPort, 0, 65535);
      if (flags.metricsHost !== undefined && metricsPort === undefined)
        throw new UsageError("--metrics-host needs --metrics-port.");
      // An empty host listens on every interface: the unauthenticated metrics were then open to all.
      if (flags.metricsHost !== undefined && flags.metricsHost.trim() === "")
        throw new UsageError("--metrics-host is empty.", "Name the address to listen on, e.g. 127.0.0.1 or ::1.");
      const onAttempt = ctx.out.json ? (f: Finished) => ctx.out.printNdjson(attemptLine(f)) : undefined;
      // The built CLI keeps claims and attempt records on a thread of their own (store-thread.ts).
      const { opened: services, store } = await withStoreThread(ctx.target(), ctx.deps.env, () => ctx.services());
      let warned = false;
      let retryWarnedAt = -Infinity;
      const watch = await watchWorker(services, {
        identity: workerIdentity(VERSION, ctx.now()),
        lanesTotal: concurrency,
        leaseMs,
        metrics: metricsPort === undefined ? undefined : { host: flags.metricsHost ?? "127.0.0.1", port: metricsPort },
        onAttempt,
        onHeartbeatError: (e) => {
          if (!warned) ctx.out.warn(`the heartbeat could not be written (${(e as Error).message}); still delivering.`);
          warned = true;
        },
      }).catch(async (error) => {
        await store?.close(); // nothing was claimed: the store thread has nothing to finish
        throw error;
      });
      if (watch.metricsUrl) ctx.out.info(`Metrics at ${watch.metricsUrl}`);
      // A stop waits for the attempts in flight (up to their endpoint's timeout, 2 minutes at most):
      // said, so that a silent minute is not taken for a hang.
      ctx.deps.signal.addEventListener(
        "abort",
        () =>
          ctx.out.info(
            "Stopping: the attempts in flight finish first (at most their endpoint's timeout); signal again to stop at once.",
          ),
        { once: true },
      );
      const summary = await runWorker(services, {
        concurrency,
        once: Boolean(flags.once),
        maxTimeMs,
        leaseMs,
        disableAfterMs,
        pollMs,
        signal: ctx.deps.signal,
        // Said once every 10 s at most while the database refuses: a locked or restarting database
        // must not flood stderr, nor go unsaid.
        onRetry: (e) => {
          const now = Date.now();
          if (now - retryWarnedAt < 10_000) return;
          retryWarnedAt = now;
          ctx.out.warn(`the database refused for now (${(e as Error).message}); trying again.`);
        },
        ...watch.observers,
        store,
      }).finally(() => watch.close());
      ctx.out.info(
        `${summary.attempts} attempt(s) in ${formatDuration(summary.durationMs)}: ${summary.delivered} delivered, ${summary.retrying} to retry, ${summary.failed} failed for good.`,
      );
      for (const d of summary.disabledEndpoints) ctx.out.warn(`endpoint ${d.endpointId} was disabled: ${d.reason}.`);
    });
}
