import { hostname } from "node:os";
import { jsonText, typed } from "../../db/kysely.js";
import {
  addPageToSyncJob,
  endSyncJob,
  insertSyncJob,
  type SyncJobRow,
  syncJobErrors,
  syncJobRow,
  syncJobRows,
  updateSyncJob,
} from "../../db/queries/integration-sync-job.js";
import type { SqlClient } from "../../db/sql.js";
import { newId } from "../../lib/ids.js";
import type { JsonValue } from "../../types/common.js";
import type { IntegrationSyncJob } from "../../types/integration/integration.types.js";

// IntegrationSyncJob rows. A running job holds a lease: its owner (host:pid) and a heartbeat that
// moves with every checkpoint. A job left "running" by a killed process (SIGKILL leaves no chance
// to write anything) is taken over by the next run once its owner is provably gone (same host, pid
// not alive) or its heartbeat is older than LEASE_MS.

export const LEASE_MS = 2 * 60_000;

export type JobStatus = IntegrationSyncJob["status"];
export type JobError = IntegrationSyncJob["errors"][number];

export function toJob(r: SyncJobRow, now: Date, stalledAfterMs: number): IntegrationSyncJob {
  const status = r.status as JobStatus;
  const heartbeat = r.heartbeatAt ?? r.startedAt;
  return {
    id: r.id,
    connectionId: r.connectionId,
    resource: r.resource,
    full: r.full,
    status,
    stalled: status === "running" && now.getTime() - heartbeat.getTime() > stalledAfterMs,
    checkpoint: (r.checkpoint ?? null) as JsonValue | null,
    recordsRead: r.recordsRead,
    recordsCreated: r.recordsCreated,
    recordsUpdated: r.recordsUpdated,
    recordsDeleted: r.recordsDeleted,
    errors: errorsOf(r.errors),
    leaseOwner: r.leaseOwner,
    heartbeatAt: r.heartbeatAt?.toISOString() ?? null,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

const errorsOf = (stored: unknown): JobError[] => (stored ?? []) as JobError[];

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
  const row = await syncJobRow(typed(sql), id);
  return toJob(row!, now, Number.POSITIVE_INFINITY);
}

/** The newest job of a connection's resource, if any. */
export async function latestJob(
  sql: SqlClient,
  connectionId: string,
  resource: string,
  now: Date,
): Promise<IntegrationSyncJob | undefined> {
  const [row] = await syncJobRows(typed(sql), connectionId, resource, 1);
  return row && toJob(row, now, Number.POSITIVE_INFINITY);
}

export async function listJobs(
  sql: SqlClient,
  connectionId: string,
  opts: { resource?: string; limit: number; now: Date; stalledAfterMs: number },
): Promise<IntegrationSyncJob[]> {
  const rows = await syncJobRows(typed(sql), connectionId, opts.resource, opts.limit);
  return rows.map((r) => toJob(r, opts.now, opts.stalledAfterMs));
}

export async function insertJob(
  tx: SqlClient,
  connectionId: string,
  resource: string,
  full: boolean,
  now: Date,
): Promise<string> {
  const id = newId("syncJob", now);
  const lease = { leaseOwner: leaseOwner(), heartbeatAt: now, startedAt: now };
  const job = { id, connectionId, resource, full, status: "running", checkpoint: null, errors: jsonText([]) };
  await insertSyncJob(typed(tx), { ...job, ...lease });
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
    const note = {
      message: `abandoned (worker died): ${job.leaseOwner ?? "unknown"} last seen at ${seen}, taken over at ${now.toISOString()}`,
      externalId: null,
    };
    errors = [...job.errors.slice(0, 100), note];
  }
  const lease = { status: "running", leaseOwner: leaseOwner(), heartbeatAt: now, finishedAt: null };
  await updateSyncJob(typed(tx), job.id, errors === null ? lease : { ...lease, errors: jsonText(errors) });
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
  const db = typed(tx);
  // Only the first 100 errors are kept: a resource of bad records must not grow the row unbounded.
  const errors = [...errorsOf(await syncJobErrors(db, id)), ...p.errors].slice(0, 100);
  const set = { checkpoint: jsonText(p.checkpoint), errors: jsonText(errors), heartbeatAt: now };
  await addPageToSyncJob(db, id, { read: p.read, created: p.created, updated: p.updated }, set);
}

export async function finishJob(
  sql: SqlClient,
  id: string,
  status: Exclude<JobStatus, "running">,
  now: Date,
  extra: { deleted?: number; error?: JobError } = {},
): Promise<void> {
  const db = typed(sql);
  // The reason this attempt stopped is always kept, even past the first 100 record errors.
  const errors = [...errorsOf(await syncJobErrors(db, id)).slice(0, 100), ...(extra.error ? [extra.error] : [])];
  await endSyncJob(db, id, extra.deleted ?? 0, { status, errors: jsonText(errors), finishedAt: now, heartbeatAt: now });
}
