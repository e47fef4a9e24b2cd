import { type Db, jsonText, typed } from "../kysely.js";
import { prepared } from "../prepared.js";
import type { Writable } from "node:stream";
import {
  CompiledQuery,
  type Insertable,
  PostgresAdapter,
  type Selectable,
  type SelectQueryBuilder,
  sql,
  type Updateable,
} from "kysely";
import type { DB, ExternalReference } from "../generated/kysely/types.js";
import { type SqlClient, sqliteDate } from "../sql.js";
import { copyValue, staged } from "./external-reference-stage.js";

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

// ─── for the external references (refs) ───

// Every statement on "ExternalReference": the links between the platform's records and a
// provider's. Reads, the single-row writes, the counts of `refs metrics` and the bulk import.

/** The columns every reference view is built from, in one order (export reads them as arrays). */
export const REF_FIELDS = [
  "id",
  "connectionId",
  "entityType",
  "entityId",
  "externalType",
  "externalId",
  "metadata",
  "payloadHash",
  "firstSeenAt",
  "lastModifiedAt",
  "remoteDeleted",
  "remoteDeletedAt",
  "createdAt",
  "updatedAt",
] as const;
export type RefViewRow = Pick<Selectable<ExternalReference>, (typeof REF_FIELDS)[number]>;

/** Which references list, export and count read. */
export interface RefFilter {
  connectionIds: string[];
  entityTypes: string[];
  externalTypes: string[];
  /** Changed at or after. */
  since: Date | null;
}

type RefSelect<O> = SelectQueryBuilder<DB, "ExternalReference", O>;
function filtered<O>(q: RefSelect<O>, f: RefFilter): RefSelect<O> {
  if (f.connectionIds.length) q = q.where("connectionId", "in", f.connectionIds);
  if (f.entityTypes.length) q = q.where("entityType", "in", f.entityTypes);
  if (f.externalTypes.length) q = q.where("externalType", "in", f.externalTypes);
  if (f.since) q = q.where("updatedAt", ">=", f.since);
  return q;
}

export function referenceById(db: Db, id: string): Promise<RefViewRow | undefined> {
  return db.selectFrom("ExternalReference").select(REF_FIELDS).where("id", "=", id).executeTakeFirst();
}

/** The reference with who linked it and how: its history's first entry is read from these. */
export function referenceWithLinkById(db: Db, id: string) {
  return db
    .selectFrom("ExternalReference")
    .select([...REF_FIELDS, "linkedBy", "linkedVia"])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** The reference holding an external record, if any. */
export function referenceByExternal(
  db: Db,
  connectionId: string,
  externalType: string,
  externalId: string,
): Promise<RefViewRow | undefined> {
  return db
    .selectFrom("ExternalReference")
    .select(REF_FIELDS)
    .where("connectionId", "=", connectionId)
    .where("externalType", "=", externalType)
    .where("externalId", "=", externalId)
    .executeTakeFirst();
}

/** The reference holding an entity for one external type, if any. */
export function referenceByEntity(
  db: Db,
  connectionId: string,
  entityType: string,
  entityId: string,
  externalType: string,
): Promise<RefViewRow | undefined> {
  return db
    .selectFrom("ExternalReference")
    .select(REF_FIELDS)
    .where("connectionId", "=", connectionId)
    .where("entityType", "=", entityType)
    .where("entityId", "=", entityId)
    .where("externalType", "=", externalType)
    .executeTakeFirst();
}

/** The references holding any of these external records of one connection and type. */
export function referencesByExternalIds(
  db: Db,
  connectionId: string,
  externalType: string,
  externalIds: readonly string[],
): Promise<RefViewRow[]> {
  return db
    .selectFrom("ExternalReference")
    .select(REF_FIELDS)
    .where("connectionId", "=", connectionId)
    .where("externalType", "=", externalType)
    .where("externalId", "in", externalIds)
    .execute();
}

/** The first `limit` references the filter matches, oldest first (ids sort by creation). */
export function referenceRows(db: Db, filter: RefFilter, limit: number): Promise<RefViewRow[]> {
  const q = filtered(db.selectFrom("ExternalReference").select(REF_FIELDS), filter);
  return q.orderBy("id").limit(limit).execute();
}

export async function countReferenceRows(db: Db, filter: RefFilter): Promise<number> {
  const all = db.selectFrom("ExternalReference").select((eb) => eb.fn.countAll<string | number>().as("n"));
  const q = filtered(all, filter);
  return Number((await q.executeTakeFirst())?.n ?? 0);
}

const AFTER = { after: true }; // a marker the export's compiled statement carries in the id's place

/**
 * The export's pages: REF_FIELDS as arrays, after a given id. Compiled once per export and read
 * through SqlClient.rows: the driver builds arrays several times faster than wide objects, and
 * the rows keep the driver's own forms (SQLite's date text is turned into ISO text without a Date).
 */
export function referencePages(
  sql: SqlClient,
  filter: RefFilter,
  pageSize: number,
): (after: string) => Promise<unknown[][]> {
  const q = filtered(typed(sql).selectFrom("ExternalReference").select(REF_FIELDS), filter);
  const compiled = q
    .where("id", ">", AFTER as unknown as string)
    .orderBy("id")
    .limit(pageSize)
    .compile();
  return (after) =>
    sql.rows(
      compiled.sql,
      compiled.parameters.map((p) => (p === AFTER ? after : p)),
    );
}

/** The entity an external record is linked to, if any. */
export function entityOfExternal(db: Db, connectionId: string, externalType: string, externalId: string) {
  return db
    .selectFrom("ExternalReference")
    .select(["entityType", "entityId"])
    .where("connectionId", "=", connectionId)
    .where("externalType", "=", externalType)
    .where("externalId", "=", externalId)
    .executeTakeFirst();
}

/** Every reference of one entity, with its connection and provider, by provider, connection and type. */
export function referencesOfEntity(db: Db, entityType: string, entityId: string) {
  return db
    .selectFrom("ExternalReference as r")
    .innerJoin("IntegrationConnection as c", "c.id", "r.connectionId")
    .innerJoin("IntegrationProvider as p", "p.id", "c.providerId")
    .select(REF_FIELDS.map((f) => `r.${f}` as const))
    .select(["c.name as connectionName", "c.environment as connectionEnvironment"])
    .select(["p.id as providerId", "p.slug as providerSlug", "p.name as providerName"])
    .select(["p.category as providerCategory", "p.status as providerStatus"])
    .where("r.entityType", "=", entityType)
    .where("r.entityId", "=", entityId)
    .orderBy("p.slug")
    .orderBy("r.connectionId")
    .orderBy("r.externalType")
    .execute();
}

export async function insertReference(db: Db, row: Insertable<ExternalReference>): Promise<void> {
  await db.insertInto("ExternalReference").values(row).execute();
}

export async function updateReference(db: Db, id: string, set: Updateable<ExternalReference>): Promise<void> {
  await db.updateTable("ExternalReference").set(set).where("id", "=", id).execute();
}

export async function deleteReference(db: Db, id: string): Promise<void> {
  await db.deleteFrom("ExternalReference").where("id", "=", id).execute();
}

const isPostgres = (db: Db) => db.getExecutor().adapter instanceof PostgresAdapter;

/** References per connection and entity type, with the connection's name. */
export function countsByConnection(db: Db) {
  return db
    .selectFrom("ExternalReference as r")
    .innerJoin("IntegrationConnection as c", "c.id", "r.connectionId")
    .select(["r.connectionId", "c.name as connectionName", "r.entityType"])
    .select((eb) => eb.fn.countAll<string | number>().as("count"))
    .groupBy(["r.connectionId", "c.name", "r.entityType"])
    .orderBy("r.connectionId")
    .orderBy("r.entityType")
    .execute();
}

export async function referenceTotals(db: Db): Promise<{ total: number; remoteDeleted: number }> {
  const row = await db
    .selectFrom("ExternalReference")
    .select((eb) => {
      const deleted = eb.case().when(eb.ref("remoteDeleted")).then(eb.lit(1)).else(eb.lit(0)).end();
      const total = eb.fn.countAll<string | number>().as("total");
      return [total, eb.fn.coalesce(eb.fn.sum<string | number>(deleted), eb.lit(0)).as("remoteDeleted")];
    })
    .executeTakeFirst();
  return { total: Number(row?.total ?? 0), remoteDeleted: Number(row?.remoteDeleted ?? 0) };
}

/** References of types no mapping of their provider covers (for every connection, or for their own). */
export async function countOrphans(db: Db): Promise<number> {
  const row = await db
    .selectFrom("ExternalReference as r")
    .innerJoin("IntegrationConnection as c", "c.id", "r.connectionId")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where(({ not, exists, selectFrom, lit }) =>
      not(
        exists(
          selectFrom("IntegrationMapping as m")
            .select(lit(1).as("one"))
            .whereRef("m.providerId", "=", "c.providerId")
            .where((eb) =>
              eb.or([eb("m.connectionId", "is", null), eb("m.connectionId", "=", eb.ref("r.connectionId"))]),
            )
            .whereRef("m.entityType", "=", "r.entityType")
            .whereRef("m.externalType", "=", "r.externalType"),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** References created per UTC day (YYYY-MM-DD) since a time, oldest day first. */
export function createdPerDay(db: Db, since: Date) {
  // SQLite keeps the date as ISO text; PostgreSQL's TIMESTAMP holds UTC.
  const createdAt = sql.ref("r.createdAt");
  const day = isPostgres(db)
    ? sql<string>`to_char(${createdAt}, 'YYYY-MM-DD')`
    : sql<string>`substr(${createdAt}, 1, 10)`;
  return db
    .selectFrom("ExternalReference as r")
    .select((eb) => [day.as("day"), eb.fn.countAll<string | number>().as("created")])
    .where("r.createdAt", ">=", since)
    .groupBy(day)
    .orderBy(day)
    .execute();
}

/** What the bulk import writes of each row; the times and the actor are the batch's. */
export interface ImportedRef {
  connectionId: string;
  entityType: string;
  entityId: string;
  externalType: string;
  externalId: string;
  metadata: object | null | undefined;
  payloadHash: string | null | undefined;
}

/** A value's place among the batch's values, carried through the builder into the compiled statement. */
class Slot {
  constructor(readonly at: number) {}
}
const PER_ROW = 8;
// Statement sizes, largest first: a batch of the import's 2,000 rows is four statements of 500
// rows; a batch cut short by rejected rows adds a few smaller ones. Each size is compiled once
// (a 2,000-row statement took ~0.1 s and ~30 MB to build, for no gain in running it).
const SIZES = [500, 250, 125, 64, 32, 16, 8, 4, 2, 1];
const shapes = new Map<string, { sql: string; order: number[] }>();

function importShape(db: Db, n: number) {
  const key = `${isPostgres(db) ? "pg" : "sqlite"}:${n}`;
  let shape = shapes.get(key);
  if (shape) return shape;
  const s = (k: number) => new Slot(k) as unknown as string;
  const rows = Array.from({ length: n }, (_, i) => {
    const b = 2 + i * PER_ROW;
    return {
      id: s(b),
      connectionId: s(b + 1),
      entityType: s(b + 2),
      entityId: s(b + 3),
      externalType: s(b + 4),
      externalId: s(b + 5),
      metadata: s(b + 6),
      payloadHash: s(b + 7),
      firstSeenAt: s(0),
      lastModifiedAt: s(0),
      remoteDeleted: sql.lit(false),
      linkedBy: s(1),
      linkedVia: sql.lit("import"),
      createdAt: s(0),
      updatedAt: s(0),
    };
  });
  const compiled = db
    .insertInto("ExternalReference")
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .compile();
  const order = compiled.parameters.map((p) => {
    if (!(p instanceof Slot)) throw new Error("importShape: every value of the statement is a slot");
    return p.at;
  });
  // Only the text and the order are kept: the builder's tree of a statement this size is large.
  shapes.set(key, (shape = { sql: compiled.sql, order }));
  return shape;
}

/**
 * Inserts a batch of imported references (ON CONFLICT DO NOTHING, so a row that hits an existing
 * reference, by either unique key, is skipped); returns how many were inserted. Without RETURNING:
 * nearly every batch inserts every row, and the count says so.
 */
export async function insertImported(
  db: Db,
  rows: readonly ImportedRef[],
  ids: readonly string[],
  now: Date,
  actor: string,
): Promise<number> {
  const at = isPostgres(db) ? now.toISOString() : sqliteDate(now); // formatted once, not per row
  let inserted = 0;
  for (let start = 0; start < rows.length; ) {
    const n = SIZES.find((size) => size <= rows.length - start)!;
    const { sql: text, order } = importShape(db, n);
    const values: unknown[] = [at, actor];
    for (let i = start; i < start + n; i++) {
      const r = rows[i]!;
      const metadata = r.metadata ? jsonText(r.metadata) : null;
      const hash = r.payloadHash ?? null;
      values.push(ids[i], r.connectionId, r.entityType, r.entityId, r.externalType, r.externalId, metadata, hash);
    }
    const result = await db.executeQuery(
      CompiledQuery.raw(
        text,
        order.map((k) => values[k]),
      ),
    );
    inserted += Number(result.numAffectedRows ?? 0n);
    start += n;
  }
  return inserted;
}

/** Which of these ids are references (after an import's batch: the rows it inserted). */
export async function existingReferenceIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const rows = await db.selectFrom("ExternalReference").select("id").where("id", "in", chunk).execute();
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/**
 * PostgreSQL: moves the staged rows (external-reference-stage.ts) into references in file order,
 * ON CONFLICT DO NOTHING, as the batch INSERT does; returns how many were inserted.
 */
export async function mergeStage(db: Db, now: Date, actor: string): Promise<number> {
  const at = sql<Date>`cast(${now.toISOString()} as timestamp(3))`;
  const result = await staged(db)
    .insertInto("ExternalReference")
    .columns([
      "id",
      "connectionId",
      "entityType",
      "entityId",
      "externalType",
      "externalId",
      "metadata",
      "payloadHash",
      "firstSeenAt",
      "lastModifiedAt",
      "remoteDeleted",
      "linkedBy",
      "linkedVia",
      "createdAt",
      "updatedAt",
    ])
    .expression((eb) =>
      eb
        .selectFrom("ExternalReferenceStage as s")
        .select(["s.id", "s.connectionId", "s.entityType", "s.entityId", "s.externalType", "s.externalId"])
        .select(["s.metadata", "s.payloadHash", at.as("firstSeenAt"), at.as("lastModifiedAt")])
        .select(eb.lit(false).as("remoteDeleted"))
        .select([sql<string>`cast(${actor} as text)`.as("linkedBy"), sql.lit("import").as("linkedVia")])
        .select([at.as("createdAt"), at.as("updatedAt")])
        .orderBy("s.line"),
    )
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

// The import's fast path on PostgreSQL: rows COPYed straight into "ExternalReference" inside a
// savepoint. COPY has no ON CONFLICT: a row that hits an existing reference fails the COPY with
// unique_violation, the savepoint is rolled back, and those rows go through the staging table.
const SAVEPOINT = sql.id("intg_import");
const REFERENCE_COLUMNS = [
  "id",
  "connectionId",
  "entityType",
  "entityId",
  "externalType",
  "externalId",
  "metadata",
  "payloadHash",
  "firstSeenAt",
  "lastModifiedAt",
  "remoteDeleted",
  "linkedBy",
  "linkedVia",
  "createdAt",
  "updatedAt",
];

export async function savepoint(db: Db, action: "begin" | "release" | "rollback"): Promise<void> {
  const statement = {
    begin: sql`SAVEPOINT ${SAVEPOINT}`,
    release: sql`RELEASE SAVEPOINT ${SAVEPOINT}`,
    rollback: sql`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`,
  };
  await statement[action].execute(db);
}

/** A COPY into "ExternalReference", fed with referenceCopyText(); see SqlClient.copyFrom. */
export function copyIntoReferences(tx: SqlClient): Promise<Writable> {
  if (!tx.copyFrom) throw new Error("COPY needs PostgreSQL");
  return tx.copyFrom(`COPY "ExternalReference" (${REFERENCE_COLUMNS.map((c) => `"${c}"`).join(", ")}) FROM STDIN`);
}

/** Imported rows as COPY text in REFERENCE_COLUMNS order (see copyText for the escapes). */
export function referenceCopyText(
  rows: readonly ImportedRef[],
  ids: readonly string[],
  now: Date,
  actor: string,
): string {
  const at = now.toISOString(); // a TIMESTAMP ignores the zone: the UTC time is kept
  const common = `${at}\t${at}\tf\t${copyValue(actor)}\timport\t${at}\t${at}\n`;
  let text = "";
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const metadata = r.metadata ? copyValue(jsonText(r.metadata)) : "\\N";
    const hash = r.payloadHash === undefined || r.payloadHash === null ? "\\N" : copyValue(r.payloadHash);
    text += `${ids[i]!}\t${copyValue(r.connectionId)}\t${copyValue(r.entityType)}\t${copyValue(r.entityId)}\t`;
    text += `${copyValue(r.externalType)}\t${copyValue(r.externalId)}\t${metadata}\t${hash}\t${common}`;
  }
  return text;
}
