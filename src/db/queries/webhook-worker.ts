import type { Insertable, Selectable } from "kysely";
import type { WebhookWorker } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";
import { prepared } from "../prepared.js";

// Every statement on "WebhookWorker": the running workers' heartbeats, which `webhooks workers` lists.

export type WorkerRow = Selectable<WebhookWorker>;

export async function insertWorker(db: Db, row: Insertable<WebhookWorker>): Promise<void> {
  await db.insertInto("WebhookWorker").values(row).execute();
}

// Runs on every heartbeat of every worker, for as long as it runs.
const beat = prepared(["id", "at", "lanesBusy", "lastClaimAt"], (k, p) =>
  k
    .updateTable("WebhookWorker")
    .set({ lastHeartbeatAt: p.at, lanesBusy: p.lanesBusy, lastClaimAt: p.lastClaimAt })
    .where("id", "=", p.id),
);

/** A worker's heartbeat; false when its row is gone (pruned while the process was stopped for a day). */
export async function beatWorker(
  db: Db,
  values: { id: string; at: Date; lanesBusy: number; lastClaimAt: Date | null },
): Promise<boolean> {
  return ((await beat.run(db, values)).numAffectedRows ?? 0n) > 0n;
}

/** A clean exit: the worker is listed as stopped, not gone, with its last claim since its last beat. */
export async function markWorkerStopped(db: Db, id: string, at: Date, lastClaimAt: Date | null): Promise<void> {
  await db
    .updateTable("WebhookWorker")
    .set({ stoppedAt: at, lastHeartbeatAt: at, lanesBusy: 0, lastClaimAt })
    .where("id", "=", id)
    .execute();
}

/** Forgets workers whose last sign of life is older than `before` (stopped or gone); returns how many. */
export async function pruneWorkers(db: Db, before: Date): Promise<number> {
  const r = await db.deleteFrom("WebhookWorker").where("lastHeartbeatAt", "<", before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Workers oldest first; without `stopped`, only those that did not exit cleanly (live or gone). */
export function listWorkerRows(db: Db, options: { stopped: boolean }): Promise<WorkerRow[]> {
  let q = db.selectFrom("WebhookWorker").selectAll();
  if (!options.stopped) q = q.where("stoppedAt", "is", null);
  return q.orderBy("startedAt").orderBy("id").execute();
}
