import type { Db } from "../../kysely.js";
import { prepared } from "../../prepared.js";

// Statements on "ExternalReference" that a sync makes: each record of a page written in the
// page's transaction, stamped with the job that saw it.

/** IN lists are cut into chunks: SQLite binds at most 32,766 parameters, and short lists plan well. */
const CHUNK = 500;

// One per record of a page, pages of thousands: compiled once.
const SYNCED = ["id", "connectionId", "entityType", "entityId", "externalType", "externalId", "payloadHash"] as const;
const insertSynced = prepared([...SYNCED, "now", "actor", "jobId"], (db, p) =>
  db.insertInto("ExternalReference").values({
    id: p.id,
    connectionId: p.connectionId,
    entityType: p.entityType,
    entityId: p.entityId,
    externalType: p.externalType,
    externalId: p.externalId,
    metadata: null,
    payloadHash: p.payloadHash,
    firstSeenAt: p.now,
    lastModifiedAt: p.now,
    remoteDeleted: false,
    linkedBy: p.actor,
    linkedVia: "sync",
    lastSeenSyncJobId: p.jobId,
    createdAt: p.now,
    updatedAt: p.now,
  }),
);
const markSeen = prepared(["jobId", "id"], (db, p) =>
  db.updateTable("ExternalReference").set({ lastSeenSyncJobId: p.jobId }).where("id", "=", p.id),
);
const updateSynced = prepared(["entityType", "entityId", "payloadHash", "now", "jobId", "id"], (db, p) =>
  db
    .updateTable("ExternalReference")
    .set({
      entityType: p.entityType,
      entityId: p.entityId,
      payloadHash: p.payloadHash,
      remoteDeleted: false,
      remoteDeletedAt: null,
      lastModifiedAt: p.now,
      lastSeenSyncJobId: p.jobId,
      updatedAt: p.now,
    })
    .where("id", "=", p.id),
);

export interface SyncedRecord {
  connectionId: string;
  entityType: string;
  entityId: string;
  externalType: string;
  externalId: string;
  payloadHash: string;
}

/** A reference a sync found: linked by the actor, via "sync". */
export async function insertSyncedRef(
  db: Db,
  id: string,
  r: SyncedRecord,
  seen: { jobId: string; actor: string; now: Date },
): Promise<void> {
  await insertSynced.run(db, { id, ...r, ...seen });
}

/** A reference seen unchanged: only the job's stamp moves. */
export async function markRefSeen(db: Db, id: string, jobId: string): Promise<void> {
  await markSeen.run(db, { jobId, id });
}

/** A reference seen changed (or back after a remote deletion): what the record maps to now. */
export async function updateSyncedRef(
  db: Db,
  id: string,
  r: Pick<SyncedRecord, "entityType" | "entityId" | "payloadHash">,
  seen: { jobId: string; now: Date },
): Promise<void> {
  await updateSynced.run(db, { id, ...r, ...seen });
}

/** The live references of an external type that the job did not see, by id. */
export async function refsUnseenBy(
  db: Db,
  connectionId: string,
  externalType: string,
  jobId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom("ExternalReference")
    .select("id")
    .where("connectionId", "=", connectionId)
    .where("externalType", "=", externalType)
    .where("remoteDeleted", "=", false)
    .where((eb) => eb.or([eb("lastSeenSyncJobId", "is", null), eb("lastSeenSyncJobId", "<>", jobId)]))
    .orderBy("id")
    .execute();
  return rows.map((r) => r.id);
}

export async function markRefsRemoteDeleted(db: Db, ids: readonly string[], now: Date): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    await db
      .updateTable("ExternalReference")
      .set({ remoteDeleted: true, remoteDeletedAt: now, updatedAt: now })
      .where("id", "in", chunk)
      .execute();
  }
}
