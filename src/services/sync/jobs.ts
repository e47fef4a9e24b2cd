import { hostname } from "node:os";
import { col, type SqlClient } from "../../db/sql.js";
import { newId } from "../../lib/ids.js";
import type { JsonValue } from "../../types/common.js";
import type { IntegrationSyncJob } from "../../types/integration/integration.types.js";

// IntegrationSyncJob rows. A running job holds a lease: its owner (host:pid) and a heartbeat that
// moves with every checkpoint. A job left "running" by a killed process (SIGKILL leaves no chance
// to write anything) is taken over by the next run once its owner is provably gone (same host, pid
// not alive) or its heartbeat is older than LEASE_MS.

export const LEASE_MS = 2 * 60_000;
const COLUMNS = `"id","connectionId","resource","full","status","checkpoint","recordsRead","recordsCreated","recordsUpdated","recordsDeleted","errors","leaseOwner","heartbeatAt","startedAt","finishedAt"`;

export type JobStatus = IntegrationSyncJob["status"];
export type JobError = IntegrationSyncJob["errors"][number];

export function toJob(r: Record<string, unknown>, now: Date, stalledAfterMs: number): IntegrationSyncJob {
  const status = r.status as JobStatus;
  const heartbeat = col.dateOrNull(r.heartbeatAt) ?? col.date(r.startedAt);
  return {
    id: r.id as string,
    connectionId: r.connectionId as string,
    resource: r.resource as string,
    full: col.bool(r.full),
    status,
    stalled: status === "running" && now.getTime() - heartbeat.getTime() > stalledAfterMs,
    checkpoint: r.checkpoint === null || r.checkpoint === undefined ? null : col.json<JsonValue>(r.checkpoint),
    recordsRead: col.int(r.recordsRead),
    recordsCreated: col.int(r.recordsCreated),
    recordsUpdated: col.int(r.recordsUpdated),
    recordsDeleted: col.int(r.recordsDeleted),
    errors: r.errors === null || r.errors === undefined ? [] : col.json<JobError[]>(r.errors),
    leaseOwner: (r.leaseOwner as string | null) ?? null,
    heartbeatAt: col.iso(r.heartbeatAt),
    startedAt: col.iso(r.startedAt)!,
    finishedAt: col.iso(r.finishedAt),
  };
}

export const leaseOwner = () => `${hostname()}:${process.pid}`;

/** Whether a running job's owner can no longer be working on it. */
export function leaseLost(job: IntegrationSyncJob, now: Date): boolean {
  const [host, pid] = (job.leaseOwner ?? "").split(":");
  if (host === hostname() && pid && Number(pid) !== process.pid) {
    try {
      process.kill(Number(pid), 0);
    } catch (error) {
      if ((error as { code?: string }).code === "ESRCH") return true;
    }
  }
  const beat = new Date(job.heartbeatAt ?? job.startedAt).getTime();
  return now.getTime() - beat > LEASE_MS;
}

export async function getJob(sql: SqlClient, id: string, now: Date): Promise<IntegrationSyncJob> {
  const row = await sql.get<Record<string, unknown>>(`SELECT ${COLUMNS} FROM "IntegrationSyncJob" WHERE "id" = ?`, [id]);
  return toJob(row!, now, Number.POSITIVE_INFINITY);
}

/** The newest job of a connection's resource, if any. */
export async function latestJob(sql: SqlClient, connectionId: string, resource: string, now: Date): Promise<IntegrationSyncJob | undefined> {
  const row = await sql.get<Record<string, unknown>>(`SELECT ${COLUMNS} FROM "IntegrationSyncJob" WHERE "connectionId" = ? AND "resource" = ? ORDER BY "startedAt" DESC, "id" DESC LIMIT 1`, [connectionId, resource]);
  return row && toJob(row, now, Number.POSITIVE_INFINITY);
}

export async function listJobs(sql: SqlClient, connectionId: string, opts: { resource?: string; limit: number; now: Date; stalledAfterMs: number }): Promise<IntegrationSyncJob[]> {
  const params: unknown[] = [connectionId];
  const byResource = opts.resource ? (params.push(opts.resource), `AND "resource" = ?`) : "";
  const rows = await sql.all<Record<string, unknown>>(`SELECT ${COLUMNS} FROM "IntegrationSyncJob" WHERE "connectionId" = ? ${byResource} ORDER BY "startedAt" DESC, "id" DESC LIMIT ${opts.limit}`, params);
  return rows.map((r) => toJob(r, opts.now, opts.stalledAfterMs));
}

export async function insertJob(tx: SqlClient, connectionId: string, resource: string, full: boolean, now: Date): Promise<string> {
  const id = newId("syncJob", now);
  await tx.run(`INSERT INTO "IntegrationSyncJob" ("id","connectionId","resource","full","status","checkpoint","errors","leaseOwner","heartbeatAt","startedAt") VALUES (?,?,?,?,'running',NULL,?,?,?,?)`, [id, connectionId, resource, full, [], leaseOwner(), now, now]);
  return id;
}

/**
 * Takes over an unfinished job: running again, under this process's lease, from its checkpoint.
 * One still marked running lost its worker without a word (SIGKILL, a crash): its errors say so,
 * with who held it and when it was last seen, as they say why any other attempt stopped.
 */
export async function resumeJob(tx: SqlClient, job: IntegrationSyncJob, now: Date): Promise<void> {
  let errors: JobError[] | null = null;
  if (job.status === "running") {
    const seen = job.heartbeatAt ?? job.startedAt;
    const note = { message: `abandoned (worker died): ${job.leaseOwner ?? "unknown"} last seen at ${seen}, taken over at ${now.toISOString()}`, externalId: null };
    errors = [...job.errors.slice(0, 100), note];
  }
  await tx.run(
    `UPDATE "IntegrationSyncJob" SET "status" = 'running', "leaseOwner" = ?, "heartbeatAt" = ?, "finishedAt" = NULL, "errors" = COALESCE(?, "errors") WHERE "id" = ?`,
    [leaseOwner(), now, errors, job.id],
  );
}

export interface PageProgress {
  checkpoint: JsonValue;
  read: number;
  created: number;
  updated: number;
  errors: JobError[];
}

/** One page's counts and the next checkpoint, in the transaction that wrote the page's refs. */
export async function advanceJob(tx: SqlClient, id: string, p: PageProgress, now: Date): Promise<void> {
  const current = await tx.get<{ errors: unknown }>(`SELECT "errors" FROM "IntegrationSyncJob" WHERE "id" = ?`, [id]);
  // Only the first 100 errors are kept: a resource of bad records must not grow the row unbounded.
  const errors = [...(current?.errors ? col.json<JobError[]>(current.errors) : []), ...p.errors].slice(0, 100);
  await tx.run(
    `UPDATE "IntegrationSyncJob" SET "checkpoint" = ?, "recordsRead" = "recordsRead" + ?, "recordsCreated" = "recordsCreated" + ?, "recordsUpdated" = "recordsUpdated" + ?, "errors" = ?, "heartbeatAt" = ? WHERE "id" = ?`,
    [p.checkpoint, p.read, p.created, p.updated, errors, now, id],
  );
}

export async function finishJob(sql: SqlClient, id: string, status: Exclude<JobStatus, "running">, now: Date, extra: { deleted?: number; error?: JobError } = {}): Promise<void> {
  const current = await sql.get<{ errors: unknown }>(`SELECT "errors" FROM "IntegrationSyncJob" WHERE "id" = ?`, [id]);
  // The reason this attempt stopped is always kept, even past the first 100 record errors.
  const errors = [...(current?.errors ? col.json<JobError[]>(current.errors) : []).slice(0, 100), ...(extra.error ? [extra.error] : [])];
  await sql.run(`UPDATE "IntegrationSyncJob" SET "status" = ?, "recordsDeleted" = "recordsDeleted" + ?, "errors" = ?, "finishedAt" = ?, "heartbeatAt" = ? WHERE "id" = ?`, [status, extra.deleted ?? 0, errors, now, now, id]);
}
