import { type Db, typed } from "../../kysely.js";
import type { Selectable, SelectQueryBuilder } from "kysely";
import type { DB, ExternalReference } from "../../generated/kysely/types.js";
import type { SqlClient } from "../../sql.js";
import { LINK_COLUMNS, RECORD_COLUMNS } from "./columns.js";

// Reads of "ExternalReference": the links between the platform's records and a provider's.
// The folder holds every statement on the table, one file per purpose.

/** The columns every reference view is built from, in one order (export reads them as arrays). */
export const REF_FIELDS = [
  "id",
  ...LINK_COLUMNS,
  ...RECORD_COLUMNS,
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
