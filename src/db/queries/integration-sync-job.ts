import type { Insertable, Selectable, Updateable } from "kysely";
import type { IntegrationSyncJob } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";

// Every statement on "IntegrationSyncJob": a connection's syncs of a resource, with their lease
// (owner and heartbeat) and checkpoint.

export type SyncJobRow = Selectable<IntegrationSyncJob>;

export function syncJobRow(db: Db, id: string): Promise<SyncJobRow | undefined> {
  return db.selectFrom("IntegrationSyncJob").selectAll().where("id", "=", id).executeTakeFirst();
}

/** A connection's jobs (of one resource, if given), newest first. */
export function syncJobRows(
  db: Db,
  connectionId: string,
  resource: string | undefined,
  limit: number,
): Promise<SyncJobRow[]> {
  let q = db.selectFrom("IntegrationSyncJob").selectAll().where("connectionId", "=", connectionId);
  if (resource !== undefined) q = q.where("resource", "=", resource);
  return q.orderBy("startedAt", "desc").orderBy("id", "desc").limit(limit).execute();
}

/** The errors kept so far, to append to. */
export async function syncJobErrors(db: Db, id: string): Promise<unknown> {
  return (await db.selectFrom("IntegrationSyncJob").select("errors").where("id", "=", id).executeTakeFirst())?.errors;
}

export async function insertSyncJob(db: Db, row: Insertable<IntegrationSyncJob>): Promise<void> {
  await db.insertInto("IntegrationSyncJob").values(row).execute();
}

export async function updateSyncJob(db: Db, id: string, set: Updateable<IntegrationSyncJob>): Promise<void> {
  await db.updateTable("IntegrationSyncJob").set(set).where("id", "=", id).execute();
}

/** A page's counts added to the job's, with the checkpoint, errors and heartbeat set. */
export async function addPageToSyncJob(
  db: Db,
  id: string,
  counts: { read: number; created: number; updated: number },
  set: Updateable<IntegrationSyncJob>,
): Promise<void> {
  await db
    .updateTable("IntegrationSyncJob")
    .set(set)
    .set((eb) => ({
      recordsRead: eb("recordsRead", "+", counts.read),
      recordsCreated: eb("recordsCreated", "+", counts.created),
      recordsUpdated: eb("recordsUpdated", "+", counts.updated),
    }))
    .where("id", "=", id)
    .execute();
}

/** The job's end: its status, the references it marked deleted added, with the other columns set. */
export async function endSyncJob(
  db: Db,
  id: string,
  deleted: number,
  set: Updateable<IntegrationSyncJob>,
): Promise<void> {
  await db
    .updateTable("IntegrationSyncJob")
    .set(set)
    .set((eb) => ({ recordsDeleted: eb("recordsDeleted", "+", deleted) }))
    .where("id", "=", id)
    .execute();
}

/** `intg doctor`: every job still marked running (a few at most); services/sync/jobs.ts says which stalled. */
export function runningSyncJobs(db: Db): Promise<SyncJobRow[]> {
  return db.selectFrom("IntegrationSyncJob").selectAll().where("status", "=", "running").orderBy("id").execute();
}
