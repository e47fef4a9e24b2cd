import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { UsageError } from "../../../errors.js";
import type { ServiceContext } from "../../context.js";
import type { WorkerIdentity } from "./presence.js";
import { backlogGauges } from "./prometheus-backlog.js";
import type { Finished } from "./record.js";

// `webhooks worker --metrics-port`: the worker's Prometheus metrics over HTTP. Loaded only by a
// worker asked for them (prom-client costs start-up). Counters move as attempts are recorded; the
// backlog is read on scrape (prometheus-backlog.ts).

// Attempt latency: a local receiver answers in milliseconds, a timeout takes up to two minutes.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const OUTCOMES = ["delivered", "retrying", "failed"] as const;
type AttemptOutcome = (typeof OUTCOMES)[number];

export interface WorkerMetrics {
  /** Where Prometheus scrapes, e.g. http://127.0.0.1:9464/metrics. */
  url: string;
  attempt(f: Finished): void;
  claimed(taken: number, lanesBusy: number): void;
  renewed(leases: number, lanesBusy: number): void;
  close(): Promise<void>;
}

export interface MetricsOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  identity: WorkerIdentity;
  lanesTotal: number;
}

export async function serveMetrics(ctx: ServiceContext, options: MetricsOptions): Promise<WorkerMetrics> {
  const registers = [new Registry()];
  const [registry] = registers as [Registry];
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters, which `promtool check metrics` rejects; the process's handles are
  // not what an operator watches a worker for.
  for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"])
    registry.removeSingleMetric(name);
  const outcome = { labelNames: ["outcome"] as const, registers };
  const attempts = new Counter({
    name: "intg_webhook_attempts_total",
    help: "Attempts recorded, by what each decided: delivered, retrying, or failed (no retry left, or 410 Gone).",
    ...outcome,
  });
  const deliveries = new Counter({
    name: "intg_webhook_deliveries_total",
    help: "Deliveries this worker finished: delivered, or failed for good.",
    ...outcome,
  });
  const latency = new Histogram({
    name: "intg_webhook_attempt_duration_seconds",
    help: "Time from each request to its response or timeout, by the attempt's outcome.",
    buckets: LATENCY_BUCKETS,
    ...outcome,
  });
  for (const o of OUTCOMES) {
    attempts.inc({ outcome: o }, 0);
    latency.zero({ outcome: o });
    if (o !== "retrying") deliveries.inc({ outcome: o }, 0);
  }
  const claimed = new Counter({
    name: "intg_webhook_deliveries_claimed_total",
    help: "Deliveries taken by this worker's claims.",
    registers,
  });
  const renewed = new Counter({
    name: "intg_webhook_leases_renewed_total",
    help: "Leases pushed out by this worker's heartbeats.",
    registers,
  });
  const busy = new Gauge({
    name: "intg_webhook_lanes_busy",
    help: "Lanes sending, at the last claim or heartbeat.",
    registers,
  });
  const lanes = new Gauge({ name: "intg_webhook_lanes", help: "Lanes this worker runs (--concurrency).", registers });
  lanes.set(options.lanesTotal);
  const { id, host, pid, version } = options.identity;
  new Gauge({
    name: "intg_webhook_worker_info",
    help: "This worker: its id (the owner of its leases), host, process id and intg version. Always 1.",
    labelNames: ["worker_id", "host", "pid", "version"] as const,
    registers,
  }).set({ worker_id: id, host, pid: String(pid), version }, 1);
  backlogGauges(ctx, registers);

  const server = createServer((req, res) => {
    if ((req.url ?? "/").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found: the metrics are at /metrics\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      (error: Error) =>
        res.writeHead(500, { "content-type": "text/plain" }).end(`Collecting the metrics failed: ${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(error, options)));
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  const seconds = (ms: number) => ms / 1000;
  return {
    url: `http://${shownHost}:${port}/metrics`,
    attempt: (f) => {
      const o: AttemptOutcome =
        f.outcome.kind === "retry" ? "retrying" : f.outcome.kind === "delivered" ? "delivered" : "failed";
      attempts.inc({ outcome: o });
      if (o !== "retrying") deliveries.inc({ outcome: o });
      // An attempt that never sent a request (a failed transformation) has no latency to tell.
      if (f.requestHeaders !== null) latency.observe({ outcome: o }, seconds(f.result.durationMs));
    },
    claimed: (taken, lanesBusy) => {
      claimed.inc(taken);
      busy.set(lanesBusy);
    },
    renewed: (leases, lanesBusy) => {
      renewed.inc(leases);
      busy.set(lanesBusy);
    },
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}

function listenError(error: NodeJS.ErrnoException, options: MetricsOptions): Error {
  if (error.code === "EADDRINUSE")
    return new UsageError(
      `--metrics-port: port ${options.port} on ${options.host} is in use.`,
      "Pick another, or 0 for any free port.",
      "PORT_IN_USE",
    );
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND" || error.code === "EACCES")
    return new UsageError(
      `--metrics-host/--metrics-port: cannot listen on ${options.host}:${options.port} (${error.code}).`,
    );
  return error;
}
