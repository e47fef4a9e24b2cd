import type { Expression, Selectable, SqlBool } from "kysely";
import type { ApiKeyScope } from "../generated/kysely/enums.js";
import type { ApiKeyScopeGrant } from "../generated/kysely/types.js";
import { arraysOf, type Db } from "../kysely.js";

// Every statement on "ApiKeyScopeGrant": the scopes a key was issued with (never changed after).

export type ScopeGrant = Selectable<ApiKeyScopeGrant>;

/** IN lists are cut into chunks: SQLite binds at most 32,766 parameters, and short lists plan well. */
const CHUNK = 500;

export async function insertScopeGrants(db: Db, apiKeyId: string, scopes: Iterable<ApiKeyScope>): Promise<void> {
  const rows = [...new Set(scopes)].map((scope) => ({ apiKeyId, scope }));
  if (rows.length > 0) await db.insertInto("ApiKeyScopeGrant").values(rows).execute();
}

/** The grants of many keys, a query per 500 keys. */
export async function scopeGrantsOf(db: Db, ids: readonly string[]): Promise<ScopeGrant[]> {
  const out: ScopeGrant[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const grants = db.selectFrom("ApiKeyScopeGrant").select(["apiKeyId", "scope"]).where("apiKeyId", "in", chunk);
    out.push(...(await grants.execute()));
  }
  return out;
}

/**
 * The same for every key a condition over `k` (api-key-filter.ts) selects, in one join: for a
 * long list this beats IN lists of hundreds of ids, each of which SQLite parses anew. Pairs of
 * (apiKeyId, scope) as the driver reads them: `keys list` reads two per key.
 */
export async function scopeGrantsWhere(db: Db, where: Expression<SqlBool>): Promise<Array<[string, ApiKeyScope]>> {
  const query = db
    .selectFrom("ApiKeyScopeGrant as g")
    .innerJoin("ApiKey as k", "k.id", "g.apiKeyId")
    .select(["g.apiKeyId", "g.scope"])
    .where(where);
  return (await arraysOf(db, query)) as Array<[string, ApiKeyScope]>;
}

// One key's scopes, for verification: api-key-verify.ts.
export { scopesOfOneKey } from "./api-key-verify.js";
