import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import { ApiKeyStatus } from "../generated/kysely/enums.js";
import { arraysOf, type Db } from "../kysely.js";

// `keys list --json` written by SQLite itself: one string for the whole list, where reading every
// row into arrays, building two objects per key, formatting its dates and serialising them again
// cost ~20 ms and most of a cold start's garbage collection for 1,000 keys. The text must be the
// very bytes JSON.stringify would print of the keys' views (services/keys/views.ts: infoOf, same
// fields in the same order); test/integration/keys-list-json.test.ts holds the two together.
// SQLite writes strings exactly as JSON.stringify does, and a stored date in the adapter's form
// converts by text (col.iso). Anything else is left to the views: see keysJsonWhere.

const { ACTIVE, ROTATING, EXPIRED } = ApiKeyStatus;
/** The adapter's stored form (col.iso converts it by text): anything else is formatted by a Date. */
const STORED_DATE = "[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]+00:00";
const DATES = ["expiresAt", "graceEndsAt", "revokedAt", "lastUsedAt", "createdAt", "updatedAt"] as const;

const ref = (column: string) => sql.ref(`k.${column}`);
const iso = (column: string): RawBuilder<string | null> =>
  sql`CASE WHEN ${ref(column)} IS NULL THEN NULL ELSE substr(${ref(column)}, 1, 23) || 'Z' END`;
const odd = (column: string) =>
  sql<number>`(${ref(column)} IS NOT NULL AND NOT (typeof(${ref(column)}) = 'text' AND ${ref(column)} GLOB ${STORED_DATE}))`;

/**
 * The JSON array of the views of the keys a condition over `k` (api-key-filter.ts) selects, newest
 * first, as `keys list --json` prints it, written by SQLite; or null when the caller must build
 * the views instead: a date not in the adapter's stored form, or metadata whose stored text is not
 * what JSON.stringify prints of it (written by hand: `1.0`, `\u00e9`, spaces), which SQLite
 * would print as stored. SQLite only.
 */
export async function keysJsonWhere(db: Db, where: Expression<SqlBool>, now: Date): Promise<string | null> {
  const metadata = await arraysOf(
    db,
    db.selectFrom("ApiKey as k").select("k.metadata").where(where).where("k.metadata", "is not", null),
  );
  for (const [text] of metadata) {
    if (typeof text !== "string") return null;
    try {
      if (JSON.stringify(JSON.parse(text)) !== text) return null;
    } catch {
      return null; // the views report what is wrong with it
    }
  }
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
  const view = sql`json_object(${sql.join(fields.map(([name, value]) => sql`${sql.lit(name)}, ${value}`))})`;
  const query = db
    .selectFrom("ApiKey as k")
    .select([
      sql<string>`json_group_array(${view} ORDER BY ${ref("id")} DESC)`.as("keys"),
      sql<number>`max(${sql.join(DATES.map(odd), sql` OR `)})`.as("odd"),
    ])
    .where(where);
  const [[keys, anyOdd]] = (await arraysOf(db, query)) as [[string, number | null]];
  return anyOdd ? null : keys;
}
