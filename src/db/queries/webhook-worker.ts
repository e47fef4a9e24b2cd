import { type Expression, type Insertable, type RawBuilder, type Selectable, sql } from "kysely";
import type { WebhookWorker } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";
import { prepared, providerOf } from "../prepared.js";
import { col } from "../sql.js";

// Every statement on "WebhookWorker": the running workers' heartbeats, which `webhooks workers` lists.
//
// Its times are the database server's, taken by each statement: workers on several machines, and
// the operator listing them, disagree about the time, and a worker's clock running fast kept a killed
// worker live for as long, or let a starting worker prune every other row. A worker says how long
// ago something happened by its own clock (a difference, which its clock's offset does not change),
// and the statement takes that from its own time.

export type WorkerRow = Selectable<WebhookWorker>;
/** A row with the time of the statement that read it, to judge its heartbeat by the same clock. */
export type ListedWorkerRow = WorkerRow & { databaseNow: Date };

/** What a worker writes of itself; the times are set by the database. */
export type WorkerValues = Omit<
  Insertable<WebhookWorker>,
  "startedAt" | "lastHeartbeatAt" | "lastClaimAt" | "stoppedAt"
>;

/**
 * The statement's time on the database server, `agoMs` earlier (null when `agoMs` is null), in
 * the column's stored form. SQLite: the text that sqliteDate writes ("…T13:22:03.123+00:00"),
 * which existing readers parse and compare as text; its 'now' is fixed within a statement's step.
 * PostgreSQL: TIMESTAMP(3) holding UTC, as Prisma writes it.
 */
function databaseTime(db: Db, agoMs?: Expression<number | null> | number | null): RawBuilder<Date> {
  if (providerOf(db) === "postgresql") {
    const now = sql`(statement_timestamp() at time zone 'UTC')`;
    const ago = sql`cast(${agoMs} as double precision) * interval '1 millisecond'`;
    return sql<Date>`cast(${agoMs === undefined ? now : sql`${now} - ${ago}`} as timestamp(3))`;
  }
  const format = sql`'%Y-%m-%dT%H:%M:%f+00:00'`;
  if (agoMs === undefined) return sql<Date>`strftime(${format}, 'now')`;
  // A NULL modifier makes strftime NULL: a worker that never claimed keeps no last claim.
  return sql<Date>`strftime(${format}, 'now', (${agoMs} / -1000.0) || ' seconds')`;
}

/** A worker's row as it starts (or registers again), its heartbeat now, on the database's clock. */
export async function insertWorker(
  db: Db,
  row: WorkerValues,
  ago: { startedMs: number; lastClaimMs: number | null },
): Promise<void> {
  await db
    .insertInto("WebhookWorker")
    .values({
      ...row,
      startedAt: databaseTime(db, ago.startedMs),
      lastHeartbeatAt: databaseTime(db),
      lastClaimAt: databaseTime(db, ago.lastClaimMs),
    })
    .execute();
}

/**
 * An update's last claim: `agoMs` before the statement, or, when null (no claim since the last
 * write), the time stored. Taken again each beat, the same claim would move by a beat's latency.
 */
const lastClaim = (db: Db, agoMs: Expression<number | null> | number | null) =>
  sql<Date | null>`coalesce(${databaseTime(db, agoMs)}, ${sql.ref("lastClaimAt")})`;

// Runs on every heartbeat of every worker, for as long as it runs.
const beat = prepared(["id", "lanesBusy", "newClaimAgoMs"], (k, p) =>
  k
    .updateTable("WebhookWorker")
    .set({ lastHeartbeatAt: databaseTime(k), lanesBusy: p.lanesBusy, lastClaimAt: lastClaim(k, p.newClaimAgoMs) })
    .where("id", "=", p.id),
);

/** A worker's heartbeat; false when its row is gone (pruned while the process was stopped for a day). */
export async function beatWorker(
  db: Db,
  values: { id: string; lanesBusy: number; newClaimAgoMs: number | null },
): Promise<boolean> {
  return ((await beat.run(db, values)).numAffectedRows ?? 0n) > 0n;
}

/** A clean exit: the worker is listed as stopped, not gone, with its last claim since its last beat. */
export async function markWorkerStopped(db: Db, id: string, newClaimAgoMs: number | null): Promise<void> {
  const at = databaseTime(db);
  await db
    .updateTable("WebhookWorker")
    .set({ stoppedAt: at, lastHeartbeatAt: at, lanesBusy: 0, lastClaimAt: lastClaim(db, newClaimAgoMs) })
    .where("id", "=", id)
    .execute();
}

/** Forgets workers silent for longer than `silentMs` on the database's clock (stopped or gone); returns how many. */
export async function pruneWorkers(db: Db, silentMs: number): Promise<number> {
  const r = await db
    .deleteFrom("WebhookWorker")
    .where("lastHeartbeatAt", "<", databaseTime(db, silentMs))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Workers oldest first; without `stopped`, only those that did not exit cleanly (live or gone). */
export async function listWorkerRows(db: Db, options: { stopped: boolean }): Promise<ListedWorkerRow[]> {
  let q = db.selectFrom("WebhookWorker").selectAll().select(databaseTime(db).as("databaseNow"));
  if (!options.stopped) q = q.where("stoppedAt", "is", null);
  const rows = await q.orderBy("startedAt").orderBy("id").execute();
  // SQLite returns a computed column as it is: the text of the stored form.
  return rows.map((r) => ({ ...r, databaseNow: col.date(r.databaseNow) }));
}
