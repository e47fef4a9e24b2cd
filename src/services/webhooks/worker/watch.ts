import type { ServiceContext } from "../../context.js";
import { registerWorker, type WorkerIdentity } from "./presence.js";
import type { WorkerMetrics } from "./prometheus.js";
import type { Finished } from "./record.js";
import type { WorkerOptions } from "./run.js";

// What lets operators watch a worker: its row in "WebhookWorker" (`webhooks workers`) and, when
// asked, its Prometheus endpoint. Both hang off runWorker's observer callbacks, so the delivery
// loop knows nothing of either.

export interface WatchOptions {
  identity: WorkerIdentity;
  lanesTotal: number;
  leaseMs: number;
  /** Serve Prometheus metrics here; undefined for none. */
  metrics?: { host: string; port: number };
  /** Called on every recorded attempt, after the metrics saw it (the command's --json lines). */
  onAttempt?: (f: Finished) => void;
  /** A heartbeat that could not be written: the worker goes on delivering, but may be listed as gone. */
  onHeartbeatError(error: unknown): void;
}

export interface WorkerWatch {
  /** Where the metrics are served, when they are. */
  metricsUrl: string | null;
  /** The observers (and lease owner) to pass to runWorker. */
  observers: Pick<WorkerOptions, "workerId" | "onAttempt" | "onClaim" | "onLeaseRenewed">;
  /** After runWorker: marks the worker stopped and closes the metrics server. */
  close(): Promise<void>;
}

/** Binds the metrics port first (a port in use writes nothing), then registers the worker. */
export async function watchWorker(ctx: ServiceContext, options: WatchOptions): Promise<WorkerWatch> {
  let metrics: WorkerMetrics | undefined;
  if (options.metrics) {
    // prom-client is loaded only by a worker asked for metrics.
    const { serveMetrics } = await import("./prometheus.js");
    metrics = await serveMetrics(ctx, {
      ...options.metrics,
      identity: options.identity,
      lanesTotal: options.lanesTotal,
    });
  }
  let presence: Awaited<ReturnType<typeof registerWorker>>;
  try {
    presence = await registerWorker(ctx, options.identity, {
      lanesTotal: options.lanesTotal,
      leaseMs: options.leaseMs,
    });
  } catch (error) {
    await metrics?.close();
    throw error;
  }
  // One heartbeat write at a time, and the last one done before the worker is marked stopped.
  let beating: Promise<void> = Promise.resolve();
  const { onAttempt } = options;
  return {
    metricsUrl: metrics?.url ?? null,
    observers: {
      workerId: options.identity.id,
      onAttempt:
        metrics && onAttempt
          ? (f) => {
              metrics.attempt(f);
              onAttempt(f);
            }
          : (metrics?.attempt ?? onAttempt),
      onClaim: (taken, at, lanesBusy) => {
        presence.claimed(taken, at);
        metrics?.claimed(taken, lanesBusy);
      },
      onLeaseRenewed: (renewed, at, lanesBusy) => {
        beating = beating.then(() => presence.beat(at, lanesBusy)).catch(options.onHeartbeatError);
        metrics?.renewed(renewed, lanesBusy);
      },
    },
    close: async () => {
      await beating;
      await presence.stopped().catch(options.onHeartbeatError);
      await metrics?.close();
    },
  };
}
