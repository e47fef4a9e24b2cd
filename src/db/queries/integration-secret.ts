import { type Insertable, PostgresAdapter, type Selectable, sql, type Updateable } from "kysely";
import type { TokenType } from "../generated/kysely/enums.js";
import type { IntegrationSecret } from "../generated/kysely/types.js";
import { count, type Db } from "../kysely.js";

// Every statement on "IntegrationSecret": credentials sealed under the master key. The ciphertext
// is read only where it is opened or re-sealed (reveal, rotation, the sealing check).

export const SECRET_COLUMNS = ["id", "name", "tokenType", "masterKeyId", "expiresAt", "rotatedAt", "createdAt", "updatedAt"] as const;
export type SecretRow = Pick<Selectable<IntegrationSecret>, (typeof SECRET_COLUMNS)[number]>;
export type SealedSecretRow = SecretRow & Pick<Selectable<IntegrationSecret>, "ciphertext">;

// Row locks are PostgreSQL's: SQLite's one writer holds its lock from BEGIN IMMEDIATE on.
const onPostgres = (db: Db): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

/** By id; `lock` locks the row for the caller's transaction. */
export function secretById(db: Db, id: string, opts: { lock?: boolean; ciphertext?: boolean } = {}): Promise<SealedSecretRow | undefined> {
  return db
    .selectFrom("IntegrationSecret")
    .select(SECRET_COLUMNS)
    .$if(opts.ciphertext === true, (q) => q.select("ciphertext"))
    .where("id", "=", id)
    .$if(opts.lock === true && onPostgres(db), (q) => q.forUpdate())
    .executeTakeFirst() as Promise<SealedSecretRow | undefined>;
}

/** By name, by id: the schema does not make names unique (another writer might add a second). */
export function secretsNamed(db: Db, name: string, opts: { lock?: boolean; ciphertext?: boolean } = {}): Promise<SealedSecretRow[]> {
  return db
    .selectFrom("IntegrationSecret")
    .select(SECRET_COLUMNS)
    .$if(opts.ciphertext === true, (q) => q.select("ciphertext"))
    .where("name", "=", name)
    .orderBy("id")
    .$if(opts.lock === true && onPostgres(db), (q) => q.forUpdate())
    .execute() as Promise<SealedSecretRow[]>;
}

export function listSecretRows(db: Db, filter: { tokenType?: TokenType; masterKeyId?: string }): Promise<SecretRow[]> {
  return db
    .selectFrom("IntegrationSecret")
    .select(SECRET_COLUMNS)
    .$if(Boolean(filter.tokenType), (q) => q.where("tokenType", "=", filter.tokenType!))
    .$if(Boolean(filter.masterKeyId), (q) => q.where("masterKeyId", "=", filter.masterKeyId!))
    .orderBy("name")
    .orderBy("id")
    .execute();
}

export async function insertSecretRow(db: Db, row: Insertable<IntegrationSecret>): Promise<void> {
  await db.insertInto("IntegrationSecret").values(row).execute();
}

export async function updateSecretRow(db: Db, id: string, set: Updateable<IntegrationSecret>): Promise<void> {
  await db.updateTable("IntegrationSecret").set(set).where("id", "=", id).execute();
}

export async function deleteSecretRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom("IntegrationSecret").where("id", "=", id).execute();
}

/** Secrets per master key id: a rotation's progress, and what the ring cannot open. */
export async function countSecretsByMasterKey(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("IntegrationSecret")
    .select((eb) => ["masterKeyId", eb.fn.countAll<string | number>().as("n")])
    .groupBy("masterKeyId")
    .orderBy("masterKeyId")
    .execute();
  return new Map(rows.map((r) => [r.masterKeyId, count(r.n)]));
}

/** The master key ids any secret is sealed under. */
export async function secretMasterKeyIds(db: Db): Promise<string[]> {
  return (await db.selectFrom("IntegrationSecret").select("masterKeyId").distinct().execute()).map((r) => r.masterKeyId);
}

/** A few sealed secrets under the keys given, to try opening (the sealing check). */
export async function sampleSealedSecrets(db: Db, keyIds: readonly string[], limit: number): Promise<{ id: string; ciphertext: string }[]> {
  if (keyIds.length === 0) return [];
  return db.selectFrom("IntegrationSecret").select(["id", "ciphertext"]).where("masterKeyId", "in", keyIds).orderBy("id").limit(limit).execute();
}

/** A batch of secrets not under `keyId` yet, locked for the caller's transaction (a rotation's step). */
export function secretsNotUnder(db: Db, keyId: string, limit: number): Promise<Pick<SealedSecretRow, "id" | "name" | "ciphertext" | "masterKeyId">[]> {
  return db
    .selectFrom("IntegrationSecret")
    .select(["id", "name", "ciphertext", "masterKeyId"])
    .where("masterKeyId", "<>", keyId)
    .orderBy("id")
    .limit(limit)
    .$if(onPostgres(db), (q) => q.forUpdate())
    .execute();
}

/** Re-seals one secret unless its ciphertext changed since it was read; returns 1 or 0. */
export async function resealSecret(db: Db, id: string, from: string, to: { ciphertext: string; masterKeyId: string }): Promise<number> {
  const r = await db.updateTable("IntegrationSecret").set(to).where("id", "=", id).where("ciphertext", "=", from).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// Any constant does; with the name's hash it serialises writers of one name on PostgreSQL, which
// has no unique index on names to stop two concurrent creators (SQLite's BEGIN IMMEDIATE does).
const NAME_LOCK_CLASS = 734_018_212;

/** Until the caller's transaction ends, no other writer of this name gets past here (PostgreSQL). */
export async function lockSecretName(db: Db, name: string): Promise<void> {
  if (onPostgres(db)) await sql`SELECT pg_advisory_xact_lock(${NAME_LOCK_CLASS}, hashtext(${name}))`.execute(db);
}

// Any constant does: it names the master-key lock among the project's advisory locks.
const MASTER_KEY_LOCK_CLASS = 734_018_213;

/**
 * The master-key lock on PostgreSQL (services/secrets/key-lock.ts): a session lock on the
 * connection, held across the transactions of a rotation. True when taken.
 */
export async function tryMasterKeyLock(db: Db): Promise<boolean> {
  const r = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(${MASTER_KEY_LOCK_CLASS}, 0) AS "locked"`.execute(db);
  return r.rows[0]?.locked === true;
}

export async function releaseMasterKeyLock(db: Db): Promise<void> {
  await sql`SELECT pg_advisory_unlock(${MASTER_KEY_LOCK_CLASS}, 0)`.execute(db);
}
