import type { Insertable, Selectable } from "kysely";
import type { IntegrityKey } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";
import { providerOf } from "../prepared.js";

// Every statement on "IntegrityKey": the integrity root, sealed under the master key (one row).

export type IntegrityKeyRow = Selectable<IntegrityKey>;
type Sealed = Pick<IntegrityKeyRow, "id" | "ciphertext" | "masterKeyId">;

// Row locks are PostgreSQL's: SQLite's one writer holds its lock from BEGIN IMMEDIATE on.
const onPostgres = (db: Db): boolean => providerOf(db) === "postgresql";

export function integrityKeyById(db: Db, id: string): Promise<Pick<IntegrityKeyRow, "id" | "ciphertext"> | undefined> {
  return db.selectFrom("IntegrityKey").select(["id", "ciphertext"]).where("id", "=", id).executeTakeFirst();
}

/** The master keys the roots are sealed under (one root: one key). */
export async function integrityKeyMasterIds(db: Db): Promise<string[]> {
  return (await db.selectFrom("IntegrityKey").select("masterKeyId").execute()).map((r) => r.masterKeyId);
}

export async function insertIntegrityKey(db: Db, row: Insertable<IntegrityKey>): Promise<void> {
  await db.insertInto("IntegrityKey").values(row).execute();
}

/** The root when it is not under `keyId` yet, locked for the caller's transaction (a rotation). */
export function integrityKeyNotUnder(db: Db, keyId: string): Promise<Sealed | undefined> {
  return db
    .selectFrom("IntegrityKey")
    .select(["id", "ciphertext", "masterKeyId"])
    .where("masterKeyId", "<>", keyId)
    .$if(onPostgres(db), (q) => q.forUpdate())
    .executeTakeFirst();
}

/** Re-seals the root unless its ciphertext changed since it was read; returns 1 or 0. */
export async function resealIntegrityKey(db: Db, id: string, from: string, to: Omit<Sealed, "id">): Promise<number> {
  const q = db.updateTable("IntegrityKey").set(to).where("id", "=", id).where("ciphertext", "=", from);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}
