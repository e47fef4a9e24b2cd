import type { Expression, SqlBool } from "kysely";
import { ApiKeyStatus } from "../generated/kysely/enums.js";
import type { Db } from "../kysely.js";
import { type BuildTools, ensureCompiled, prepared } from "../prepared-run.js";

// `keys list --json` written by SQLite itself: one string for the whole list, where reading every
// row into arrays, building two objects per key, formatting its dates and serialising them again
// cost ~20 ms and most of a cold start's garbage collection for 1,000 keys. The text must be the
// very bytes JSON.stringify would print of the keys' views (services/keys/views.ts: infoOf, same
// fields in the same order); test/integration/keys-list-json.test.ts holds the two together.
// SQLite writes strings exactly as JSON.stringify does, and a stored date in the adapter's form
// converts by text (col.iso). Anything else is left to the views: see keysJsonWhere.
// This module loads no Kysely (the build hands it `sql`): the unfiltered list runs the build's
// compiled statement, so a plain `keys list --json` starts without Kysely's ~0.3 MB.

const { ACTIVE, ROTATING, EXPIRED } = ApiKeyStatus;
/** The adapter's stored form (col.iso converts it by text): anything else is formatted by a Date. */
const STORED_DATE = "[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]+00:00";

/**
 * One row: `views`, the keys' views as JSON texts joined by commas, newest first; `metadata`, their
 * metadata as stored (cast, so that the column's declared type does not have it parsed on the
 * way), joined likewise; `count`, how many have metadata. The rows come in order from a subquery
 * (SQLite never flattens an ordered subquery into an aggregate, so that group_concat keeps its
 * order: ticket #2942). An ORDER BY inside the aggregate sorted every view's text in a temporary
 * B-tree, a third of the statement's time; a row per key cost JavaScript a string and an object each.
 * A date not in the stored form stops the statement (json('') fails): the views print it.
 */
function listQuery(k: Db, { sql }: BuildTools, now: unknown, where?: Expression<SqlBool>) {
  const ref = (column: string) => sql.ref(`k.${column}`);
  const iso = (column: string) =>
    sql`CASE WHEN ${ref(column)} IS NULL THEN NULL
      WHEN ${ref(column)} GLOB ${STORED_DATE} THEN substr(${ref(column)}, 1, 23) || 'Z' ELSE json('') END`;
  const status = sql<string>`CASE
    WHEN ${ref("status")} IN (${ACTIVE}, ${ROTATING}) AND ${ref("expiresAt")} <= ${now} THEN ${EXPIRED}
    WHEN ${ref("status")} = ${ROTATING} AND ${ref("graceEndsAt")} <= ${now} THEN ${EXPIRED}
    ELSE ${ref("status")} END`;
  const scopes = sql`(SELECT json_group_array(${sql.ref("g.scope")} ORDER BY ${sql.ref("g.scope")})
    FROM ${sql.table("ApiKeyScopeGrant")} AS ${sql.id("g")} WHERE ${sql.ref("g.apiKeyId")} = ${ref("id")})`;
  const successor = sql`(SELECT ${sql.ref("n.id")} FROM ${sql.table("ApiKey")} AS ${sql.id("n")}
    WHERE ${sql.ref("n.rotatedFromId")} = ${ref("id")})`;
  const fields: Array<[string, unknown]> = [
    ...(["id", "name", "prefix", "environment", "start", "end", "formatVersion"] as const).map((c) => [c, ref(c)]),
    ["status", status],
    ["scopes", sql`json(${scopes})`],
    ["ownerId", ref("ownerId")],
    ["metadata", sql`json(${ref("metadata")})`],
    ...(["expiresAt", "graceEndsAt", "revokedAt"] as const).map((c) => [c, iso(c)]),
    ["revokedReason", ref("revokedReason")],
    ["lastUsedAt", iso("lastUsedAt")],
    ["useCount", ref("useCount")],
    ["rotatedFromId", ref("rotatedFromId")],
    ["rotatedToId", successor],
    ["createdAt", iso("createdAt")],
    ["updatedAt", iso("updatedAt")],
  ] as Array<[string, unknown]>;
  const view = sql<string>`json_object(${sql.join(fields.map(([name, value]) => sql`${sql.lit(name)}, ${value}`))})`;
  const metadata = sql<string | null>`CAST(${ref("metadata")} AS TEXT)`;
  const keys = k
    .selectFrom("ApiKey as k")
    .select([view.as("view"), metadata.as("metadata")])
    .orderBy("k.id", "desc");
  const r = (column: string) => sql.ref(`r.${column}`);
  return k
    .selectFrom((where ? keys.where(where) : keys).as("r"))
    .select([
      sql<string | null>`group_concat(${r("view")}, ',')`.as("views"),
      sql<string | null>`group_concat(${r("metadata")}, ',')`.as("metadata"),
      sql<number>`count(${r("metadata")})`.as("count"),
    ]);
}

// Every key: the statement of a plain `keys list --json`, compiled by the build.
const allKeys = prepared(["now"], (k, p, t) => listQuery(k, t, p.now), { key: "api-key.json-list" });

/**
 * Whether JSON.stringify prints each of `count` metadata texts, joined by commas, exactly as stored;
 * text written by hand (`1.0`, `\u00e9`, number-like keys out of order, spaces) SQLite would print
 * as stored. Checked as one array, a parse and a print for the lot: SQLite read each text as a JSON
 * value (JSON5, which strict JSON refuses), so the array's elements are the texts, and the array
 * prints as it reads only if each does.
 */
function canonical(joined: string | null, count: number): boolean {
  if (joined === null) return count === 0;
  const array = `[${joined}]`;
  try {
    const values = JSON.parse(array) as unknown[];
    return values.length === count && JSON.stringify(values) === array;
  } catch {
    return false;
  }
}

/**
 * The JSON array of the views of the keys a condition over `k` (api-key-filter.ts) selects, every
 * key without one, newest first, as `keys list --json` prints it, written by SQLite; or null when
 * the caller must build the views instead: a date not in the adapter's stored form, or metadata
 * JSON.stringify would print otherwise. SQLite only.
 */
export async function keysJsonWhere(db: Db, where: Expression<SqlBool> | null, now: Date): Promise<string | null> {
  let row: { views: string | null; metadata: string | null; count: number } | undefined;
  try {
    if (where === null) {
      await ensureCompiled("sqlite", [allKeys]);
      row = await allKeys.first(db, { now });
    } else {
      // Kysely is loaded already: the condition was built with it.
      row = await listQuery(db, await import("kysely"), now, where).executeTakeFirst();
    }
  } catch {
    return null; // a date not in the stored form, metadata SQLite cannot read: the views say what is wrong
  }
  if (!row || !canonical(row.metadata, row.count)) return null;
  return `[${row.views ?? ""}]`;
}
