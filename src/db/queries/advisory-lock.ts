import { sql } from "kysely";
import type { Db } from "../kysely.js";

// PostgreSQL advisory locks, on no table: what serialises writers where SQLite's BEGIN IMMEDIATE
// already holds the one write lock. Every lock intg takes is named here, each with a class of its
// own: three of them once shared one, so a connection's token refresh and an idempotency key whose
// hashes met waited on each other, and an idempotency key hashing to 0 on a master-key rotation.

/** The two-key form's first key (the second is a hash, or 0). The one-key form is a space of its own. */
export const LOCK = {
  /** Appends to the audit chain (one-key form). */
  auditChain: 734_018_211,
  /** Writers of one secret name. */
  secretName: 734_018_212,
  /** The master key, held across a rotation's transactions (a session lock, key 0). */
  masterKey: 734_018_213,
  /** Sends of one idempotency key. */
  idempotencyKey: 734_018_214,
  /** Refreshers of one connection's access token. */
  tokenRefresh: 734_018_215,
} as const;

/**
 * Holds the lock until the caller's transaction ends. Called in FROM, so the row holds a plain 1:
 * an app's Prisma client (the library on PostgreSQL) cannot read the void column
 * `SELECT pg_advisory_xact_lock(…)` returns, and failed every service that took one.
 */
export async function transactionLock(db: Db, lockClass: number, key?: string): Promise<void> {
  const lock =
    key === undefined
      ? sql`pg_advisory_xact_lock(${lockClass})`
      : sql`pg_advisory_xact_lock(${lockClass}, hashtext(${key}))`;
  await sql`SELECT 1 AS "locked" FROM ${lock} AS "l"`.execute(db);
}
