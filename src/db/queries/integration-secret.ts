import { type Insertable, type Selectable, sql, type Updateable } from "kysely";
import type { TokenType } from "../generated/kysely/enums.js";
import type { IntegrationSecret } from "../generated/kysely/types.js";
import { count, type Db } from "../kysely.js";
import { providerOf } from "../prepared.js";
import { LOCK, transactionLock } from "./advisory-lock.js";

// Every statement on "IntegrationSecret": credentials sealed under the master key. The ciphertext
// is read only where it is opened or re-sealed (reveal, rotation, the sealing check).

type Secret = Selectable<IntegrationSecret>;
/** Every column but the ciphertext, which leaves the service layer only through reveal. */
const COLUMNS = ["id", "name", "tokenType", "masterKeyId", "expiresAt", "rotatedAt", "createdAt", "updatedAt"] as const;
export type SecretRow = Pick<Secret, (typeof COLUMNS)[number]>;
export type SealedSecretRow = SecretRow & Pick<Secret, "ciphertext">;
type Sealed = Pick<Secret, "id" | "name" | "ciphertext" | "masterKeyId">;
/** `lock`: lock the rows for the caller's transaction; `ciphertext`: read the sealed value too. */
export type SecretReadOptions = { lock?: boolean; ciphertext?: boolean };

// Row locks are PostgreSQL's: SQLite's one writer holds its lock from BEGIN IMMEDIATE on.
const onPostgres = (db: Db): boolean => providerOf(db) === "postgresql";

function selectSecrets(db: Db, opts: SecretReadOptions) {
  return db
    .selectFrom("IntegrationSecret")
    .select(COLUMNS)
    .$if(opts.ciphertext === true, (q) => q.select("ciphertext"));
}

export function secretById(db: Db, id: string, opts: SecretReadOptions = {}): Promise<SealedSecretRow | undefined> {
  const q = selectSecrets(db, opts).where("id", "=", id);
  const locked = q.$if(opts.lock === true && onPostgres(db), (b) => b.forUpdate());
  return locked.executeTakeFirst() as Promise<SealedSecretRow | undefined>;
}

/** By name, by id: the schema does not make names unique (another writer might add a second). */
export function secretsNamed(db: Db, name: string, opts: SecretReadOptions = {}): Promise<SealedSecretRow[]> {
  const q = selectSecrets(db, opts).where("name", "=", name).orderBy("id");
  return q.$if(opts.lock === true && onPostgres(db), (b) => b.forUpdate()).execute() as Promise<SealedSecretRow[]>;
}

export function listSecretRows(db: Db, filter: { tokenType?: TokenType; masterKeyId?: string }): Promise<SecretRow[]> {
  return db
    .selectFrom("IntegrationSecret")
    .select(COLUMNS)
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
  const rows = await db.selectFrom("IntegrationSecret").select("masterKeyId").distinct().execute();
  return rows.map((r) => r.masterKeyId);
}

/** A few sealed secrets under the keys given, to try opening (the sealing check). */
export async function sampleSealedSecrets(db: Db, keyIds: readonly string[], limit: number): Promise<Sealed[]> {
  if (keyIds.length === 0) return [];
  const q = db.selectFrom("IntegrationSecret").select(["id", "name", "ciphertext", "masterKeyId"]);
  return q.where("masterKeyId", "in", keyIds).orderBy("id").limit(limit).execute();
}

/** A batch of secrets not under `keyId` yet, locked for the caller's transaction (a rotation's step). */
export function secretsNotUnder(db: Db, keyId: string, limit: number): Promise<Sealed[]> {
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
export async function resealSecret(db: Db, id: string, from: string, to: Omit<Sealed, "id" | "name">): Promise<number> {
  const q = db.updateTable("IntegrationSecret").set(to).where("id", "=", id).where("ciphertext", "=", from);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}

/**
 * Until the caller's transaction ends, no other writer of this name gets past here (PostgreSQL has
 * no unique index on names to stop two concurrent creators; SQLite's BEGIN IMMEDIATE does).
 */
export async function lockSecretName(db: Db, name: string): Promise<void> {
  if (onPostgres(db)) await transactionLock(db, LOCK.secretName, name);
}

/**
 * The master-key lock on PostgreSQL (services/secrets/key-lock.ts): a session lock on the
 * connection, held across the transactions of a rotation. True when taken.
 */
export async function tryMasterKeyLock(db: Db): Promise<boolean> {
  const q = sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(${LOCK.masterKey}, 0) AS "locked"`;
  return (await q.execute(db)).rows[0]?.locked === true;
}

export async function releaseMasterKeyLock(db: Db): Promise<void> {
  await sql`SELECT pg_advisory_unlock(${LOCK.masterKey}, 0)`.execute(db);
}

// Statements on "IntegrationSecret" that the connections make: a connection's credential and its
// cached OAuth2 access token are secrets named after the connection.

export type SecretCipherRow = Pick<Selectable<IntegrationSecret>, "id" | "name" | "ciphertext" | "expiresAt">;

const sealed = (db: Db) => db.selectFrom("IntegrationSecret").select(["id", "name", "ciphertext", "expiresAt"]);

/** A secret's sealed value, for decrypting just before it is used. */
export function secretCipherById(db: Db, id: string): Promise<SecretCipherRow | undefined> {
  return sealed(db).where("id", "=", id).executeTakeFirst();
}

export function secretCipherByName(db: Db, name: string): Promise<SecretCipherRow | undefined> {
  return sealed(db).where("name", "=", name).executeTakeFirst();
}

export async function deleteSecretsNamed(db: Db, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await db.deleteFrom("IntegrationSecret").where("name", "in", names).execute();
}
