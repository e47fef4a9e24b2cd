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
// compiled statements, so a plain `keys list --json` starts without Kysely's ~0.3 MB.

const { ACTIVE, ROTATING, EXPIRED } = ApiKeyStatus;
/** The adapter's stored form (col.iso converts it by text): anything else is formatted by a Date. */
const STORED_DATE = "[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]+00:00";
const DATES = ["expiresAt", "graceEndsAt", "revokedAt", "lastUsedAt", "createdAt", "updatedAt"] as const;

/**
 * The keys' metadata as stored, which JavaScript must print as it is (see keysJsonWhere). Cast, so
 * that the column's declared type (JSON) does not have it parsed on the way.
 */
function metadataQuery(k: Db, { sql }: BuildTools, where?: Expression<SqlBool>) {
  const text = sql<string>`CAST(${sql.ref("k.metadata")} AS TEXT)`.as("text");
  const query = k.selectFrom("ApiKey as k").select(text).where("k.metadata", "is not", null);
  return where ? query.where(where) : query;
}

/**
 * A row per key, newest first: `view`, its view as JSON text; `odd`, 1 if a date is not in the stored
 * form. Not one json_group_array: its ORDER BY sorts every view's text in a temporary B-tree (a
 * third of the statement's time); the index gives the rows in order, and JavaScript joins them.
 */
function listQuery(k: Db, { sql }: BuildTools, now: unknown, where?: Expression<SqlBool>) {
  const ref = (column: string) => sql.ref(`k.${column}`);
  const iso = (column: string) =>
    sql`CASE WHEN ${ref(column)} IS NULL THEN NULL ELSE substr(${ref(column)}, 1, 23) || 'Z' END`;
  const odd = (column: string) =>
    sql<number>`(${ref(column)} IS NOT NULL AND NOT (typeof(${ref(column)}) = 'text' AND ${ref(column)} GLOB ${STORED_DATE}))`;
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
  const query = k
    .selectFrom("ApiKey as k")
    .select([view.as("view"), sql<number>`${sql.join(DATES.map(odd), sql` OR `)}`.as("odd")])
    .orderBy("k.id", "desc");
  return where ? query.where(where) : query;
}

// Every key: the statements of a plain `keys list --json`, compiled by the build.
const allMetadata = prepared([], (k, _, t) => metadataQuery(k, t), { key: "api-key.json-metadata" });
const allKeys = prepared(["now"], (k, p, t) => listQuery(k, t, p.now), { key: "api-key.json-list" });

/**
 * Whether JSON.stringify prints each metadata text exactly as stored. Text written by hand (`1.0`,
 * `\u00e9`, number-like keys out of order, spaces) SQLite would print as stored.
 */
function canonical(texts: readonly unknown[]): boolean {
  for (const text of texts) {
    if (typeof text !== "string") return false;
    try {
      if (JSON.stringify(JSON.parse(text)) !== text) return false;
    } catch {
      return false; // the views report what is wrong with it
    }
  }
  return true;
}

/**
 * The JSON array of the views of the keys a condition over `k` (api-key-filter.ts) selects, every
 * key without one, newest first, as `keys list --json` prints it, written by SQLite; or null when
 * the caller must build the views instead: a date not in the adapter's stored form, or metadata
 * JSON.stringify would print otherwise. SQLite only.
 */
export async function keysJsonWhere(db: Db, where: Expression<SqlBool> | null, now: Date): Promise<string | null> {
  let rows: { view: string; odd: number }[];
  if (where === null) {
    await ensureCompiled("sqlite", [allMetadata, allKeys]);
    if (!canonical((await allMetadata.run(db, {})).rows.map((r) => r.text))) return null;
    rows = (await allKeys.run(db, { now })).rows;
  } else {
    const tools = await import("kysely"); // loaded already: the condition was built with it
    if (!canonical((await metadataQuery(db, tools, where).execute()).map((r) => r.text))) return null;
    rows = await listQuery(db, tools, now, where).execute();
  }
  const views = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.odd) return null;
    views[i] = rows[i]!.view;
  }
  return `[${views.join(",")}]`;
}
