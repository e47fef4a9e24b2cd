import type { Selectable } from "kysely";
import type { ApiKeyScope } from "../generated/kysely/enums.js";
import type { ApiKey } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";
import { prepared } from "../prepared-run.js";

// The statements a key verification runs, on "ApiKey" and "ApiKeyScopeGrant": in a module of
// their own that loads no Kysely (prepared-run.ts), so `keys verify` starts without it. Their
// tables' modules (api-key.ts, api-key-scope-grant.ts) export them too.

// Verification is the hot path: its statements are compiled once per provider.
export type KeyLookupRow = Pick<Selectable<ApiKey>, "id" | "hash" | "status" | "expiresAt" | "graceEndsAt">;

export const keyLookup = prepared<KeyLookupRow, "hash">(
  ["hash"],
  (db, p) =>
    db.selectFrom("ApiKey").select(["id", "hash", "status", "expiresAt", "graceEndsAt"]).where("hash", "=", p.hash),
  { key: "api-key.lookup" },
);

/** A key by its hash: what a verification reads, every time (status and expiry change at any moment). */
export function findKeyByHash(db: Db, hash: string): Promise<KeyLookupRow | undefined> {
  return keyLookup.first(db, { hash }); // no async: each await is a measurable part of it
}

export const recordUse = prepared(
  ["id", "count", "at"],
  (db, p) =>
    db
      .updateTable("ApiKey")
      .set((eb) => ({
        useCount: eb("useCount", "+", p.count),
        // Another process may have recorded a later use meanwhile: keep the latest.
        lastUsedAt: eb
          .case()
          .when(eb.or([eb("lastUsedAt", "is", null), eb("lastUsedAt", "<", p.at)]))
          .then(p.at)
          .else(eb.ref("lastUsedAt"))
          .end(),
      }))
      .where("id", "=", p.id),
  { key: "api-key.record-use" },
);

/** Adds `uses` uses of a key, the latest at `at`. */
export async function recordKeyUse(db: Db, id: string, uses: number, at: Date): Promise<void> {
  await recordUse.run(db, { id, count: uses, at });
}

export const scopesOfKey = prepared(
  ["id"],
  (db, p) => db.selectFrom("ApiKeyScopeGrant").select("scope").where("apiKeyId", "=", p.id),
  { key: "api-key-scope-grant.of-key" },
);

/** One key's scopes, for verification (compiled once: the first verification of each key reads them). */
export async function scopesOfOneKey(db: Db, id: string): Promise<ApiKeyScope[]> {
  return (await scopesOfKey.run(db, { id })).rows.map((r) => r.scope);
}

/** Every statement a verification runs here (prepared-run.ts: ensureCompiled). */
export const VERIFY_STATEMENTS = [keyLookup, recordUse, scopesOfKey] as const;
