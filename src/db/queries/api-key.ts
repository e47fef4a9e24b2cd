import type { Expression, Insertable, Selectable, SqlBool, Updateable } from "kysely";
import { ApiKeyStatus } from "../generated/kysely/enums.js";
import type { ApiKey } from "../generated/kysely/types.js";
import { arraysOf, count, type Db } from "../kysely.js";
import { col } from "../sql.js";

// Every statement on "ApiKey". Views read KEY_COLUMNS: the hash is read by the lookup alone. A
// `where` is a condition over the alias `k`, from keyFilter (api-key-filter.ts).

export const KEY_COLUMNS = [
  ...(["id", "name", "prefix", "environment", "start", "end", "formatVersion", "status", "ownerId"] as const),
  ...(["metadata", "expiresAt", "graceEndsAt", "revokedAt", "revokedReason", "lastUsedAt", "useCount"] as const),
  ...(["rotatedFromId", "createdAt", "updatedAt"] as const),
];

export type KeyRow = Pick<Selectable<ApiKey>, (typeof KEY_COLUMNS)[number]>;

/** IN lists are cut into chunks: SQLite binds at most 32,766 parameters, and short lists plan well. */
const CHUNK = 500;

/** The keys a condition selects, by id (newest first, or oldest first). */
export function keyRowsWhere(db: Db, where: Expression<SqlBool>, order: "asc" | "desc"): Promise<KeyRow[]> {
  return db.selectFrom("ApiKey as k").select(KEY_COLUMNS).where(where).orderBy("k.id", order).execute();
}

type KeyDate = "expiresAt" | "graceEndsAt" | "revokedAt" | "lastUsedAt" | "createdAt" | "updatedAt";
/** A key's view columns with its dates as ISO-8601 text in UTC, as views print them. */
export type KeyText = Omit<KeyRow, KeyDate> &
  Record<Exclude<KeyDate, "createdAt" | "updatedAt">, string | null> & { createdAt: string; updatedAt: string };

/**
 * keyRowsWhere for a list printed at once (`keys list`): rows read as arrays and dates kept as
 * text (SQLite stores ISO-8601), with no Date parsed and formatted again per date and per key.
 */
export async function keyTextsWhere(db: Db, where: Expression<SqlBool>, order: "asc" | "desc"): Promise<KeyText[]> {
  const query = db.selectFrom("ApiKey as k").select(KEY_COLUMNS).where(where).orderBy("k.id", order);
  return (await arraysOf(db, query)).map(
    (v) =>
      ({
        id: v[AT.id],
        name: v[AT.name],
        prefix: v[AT.prefix],
        environment: v[AT.environment],
        start: v[AT.start],
        end: v[AT.end],
        formatVersion: v[AT.formatVersion],
        status: v[AT.status],
        ownerId: v[AT.ownerId],
        metadata: v[AT.metadata] === null ? null : col.json(v[AT.metadata]),
        expiresAt: col.iso(v[AT.expiresAt]),
        graceEndsAt: col.iso(v[AT.graceEndsAt]),
        revokedAt: col.iso(v[AT.revokedAt]),
        revokedReason: v[AT.revokedReason],
        lastUsedAt: col.iso(v[AT.lastUsedAt]),
        useCount: v[AT.useCount],
        rotatedFromId: v[AT.rotatedFromId],
        createdAt: col.iso(v[AT.createdAt]),
        updatedAt: col.iso(v[AT.updatedAt]),
      }) as KeyText,
  );
}

/** Where each of KEY_COLUMNS is in a row read as an array. */
const AT = Object.fromEntries(KEY_COLUMNS.map((c, i) => [c, i])) as Record<(typeof KEY_COLUMNS)[number], number>;

/** The keys of the ids given that exist, in the order given. */
export async function keyRowsByIds(db: Db, ids: readonly string[]): Promise<KeyRow[]> {
  const byId = new Map<string, KeyRow>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const rows = await db.selectFrom("ApiKey as k").select(KEY_COLUMNS).where("k.id", "in", chunk).execute();
    for (const r of rows) byId.set(r.id, r);
  }
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export function findKeyRowById(db: Db, id: string): Promise<KeyRow | undefined> {
  return db.selectFrom("ApiKey as k").select(KEY_COLUMNS).where("k.id", "=", id).executeTakeFirst();
}

export async function countKeysWhere(db: Db, where: Expression<SqlBool>): Promise<number> {
  const row = await db
    .selectFrom("ApiKey as k")
    .select((eb) => eb.fn.countAll().as("n"))
    .where(where)
    .executeTakeFirst();
  return count(row?.n);
}

/** Keys created by a rotation since the date. */
export async function countRotationsSince(db: Db, since: Date): Promise<number> {
  const row = await db
    .selectFrom("ApiKey")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("rotatedFromId", "is not", null)
    .where("createdAt", ">=", since)
    .executeTakeFirst();
  return count(row?.n);
}

/** A key and the key that replaced it (by rotation). */
export interface Succession {
  rotatedFromId: string | null;
  id: string;
}

/** The keys that replaced the ones given (the unique index on rotatedFromId). */
export async function successorsOf(db: Db, ids: readonly string[]): Promise<Succession[]> {
  const out: Succession[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const successors = db.selectFrom("ApiKey").select(["rotatedFromId", "id"]).where("rotatedFromId", "in", chunk);
    out.push(...(await successors.execute()));
  }
  return out;
}

/** The same for every key a condition selects, in one join (a long list parses no IN lists). */
export function successorsWhere(db: Db, where: Expression<SqlBool>): Promise<Succession[]> {
  return db
    .selectFrom("ApiKey as n")
    .innerJoin("ApiKey as k", "k.id", "n.rotatedFromId")
    .select(["n.rotatedFromId", "n.id"])
    .where(where)
    .execute();
}

export async function insertKeyRow(db: Db, row: Insertable<ApiKey>): Promise<void> {
  await db.insertInto("ApiKey").values(row).execute();
}

export async function updateKeyRow(db: Db, id: string, set: Updateable<ApiKey>): Promise<void> {
  await db.updateTable("ApiKey").set(set).where("id", "=", id).execute();
}

/** The rotation's claim: one conditional UPDATE, so of two racing rotations one changes the row. */
export async function claimActiveKey(db: Db, id: string, set: Updateable<ApiKey>): Promise<number> {
  const q = db.updateTable("ApiKey").set(set).where("id", "=", id).where("status", "=", ApiKeyStatus.ACTIVE);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}

// Verification's statements: api-key-verify.ts, a module that loads no Kysely.
export { findKeyByHash, type KeyLookupRow, keyLookup, recordKeyUse } from "./api-key-verify.js";

/** `intg doctor`: the first keys a condition selects, soonest first by an end (expiry or grace). */
export function keysEndingFirst(db: Db, where: Expression<SqlBool>, by: "expiresAt" | "graceEndsAt", limit: number) {
  return db
    .selectFrom("ApiKey as k")
    .select(["k.id", "k.name", "k.expiresAt", "k.graceEndsAt"])
    .where(where)
    .orderBy(`k.${by}`)
    .orderBy("k.id")
    .limit(limit)
    .execute();
}
