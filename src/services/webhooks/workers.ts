import { typed } from "../../db/kysely.js";
import { type ListedWorkerRow, listWorkerRows } from "../../db/queries/webhook-worker.js";
import type { WebhookWorkerInfo } from "../../types/integration/webhook.types.js";
import type { ServiceContext } from "../context.js";

// `webhooks workers`: the delivery workers on this database, from their heartbeats.

/** Missed heartbeats after which a worker is gone: three intervals are its lease, so its leases have run out. */
export const GONE_AFTER_BEATS = 3;

export async function listWorkers(ctx: ServiceContext, options: { all: boolean }): Promise<WebhookWorkerInfo[]> {
  const rows = await listWorkerRows(typed(ctx.sql), { stopped: options.all });
  return rows.map(workerView);
}

function workerView(r: ListedWorkerRow): WebhookWorkerInfo {
  // Both times are the database's: neither the operator's clock nor the worker's can be off here.
  const silentMs = r.databaseNow.getTime() - r.lastHeartbeatAt.getTime();
  const state = r.stoppedAt ? "stopped" : silentMs > GONE_AFTER_BEATS * r.heartbeatMs ? "gone" : "live";
  return {
    id: r.id,
    host: r.host,
    pid: r.pid,
    version: r.version,
    state,
    lanesBusy: r.lanesBusy,
    lanesTotal: r.lanesTotal,
    leaseMs: r.leaseMs,
    heartbeatMs: r.heartbeatMs,
    startedAt: r.startedAt.toISOString(),
    lastHeartbeatAt: r.lastHeartbeatAt.toISOString(),
    lastClaimAt: r.lastClaimAt?.toISOString() ?? null,
    stoppedAt: r.stoppedAt?.toISOString() ?? null,
  };
}
