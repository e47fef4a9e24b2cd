import type { Insertable, Selectable, Updateable } from "kysely";
import { IntegrationConnectionStatus, IntegrationProviderStatus } from "../generated/kysely/enums.js";
import type { IntegrationConnection, IntegrationProvider, IntegrationSecret } from "../generated/kysely/types.js";
import { type Db, count } from "../kysely.js";
import { prepared, providerOf } from "../prepared.js";
import { LOCK, transactionLock } from "./advisory-lock.js";

// Every statement on "IntegrationConnection": a connection to a provider, read joined with its
// provider and its credential's row (never the ciphertext).

const CONNECTION = [
  "id",
  "providerId",
  "name",
  "environment",
  "status",
  "config",
  "credentialSecretId",
  "rateLimitPerMinute",
  "configMac",
  "lastCheckedAt",
  "lastHealthyAt",
  "disabledAt",
  "createdAt",
  "updatedAt",
] as const satisfies readonly (keyof IntegrationConnection)[];
const PROVIDER = [
  "id",
  "slug",
  "name",
  "category",
  "status",
  "baseUrl",
  "authType",
  "healthCheckMethod",
  "healthCheckPath",
  "healthCheckExpectedStatus",
  "rateLimitPerMinute",
  "paginationStyle",
  "docsUrl",
  "config",
  "templateName",
  "configMac",
  "createdAt",
  "updatedAt",
] as const satisfies readonly (keyof IntegrationProvider)[];
const SECRET = ["name", "tokenType", "masterKeyId", "expiresAt", "rotatedAt", "createdAt", "updatedAt"] as const;

// The provider's and the secret's columns come back prefixed, so they never shadow the connection's.
type Aliased<T extends string, F extends string> = F extends string ? `${T}.${F} as ${T}_${F}` : never;
const aliased = <T extends string, F extends string>(t: T, fields: readonly F[]) =>
  fields.map((f) => `${t}.${f} as ${t}_${f}`) as Aliased<T, F>[];
const unprefixed = (t: string, fields: readonly string[]) => fields.map((f) => [`${t}_${f}`, f] as const);
const PROVIDER_KEYS = unprefixed("p", PROVIDER);
const SECRET_KEYS = unprefixed("s", SECRET);

export type ConnectionRow = Selectable<IntegrationConnection> & {
  provider: Selectable<IntegrationProvider>;
  /** The credential's row, null without one. */
  secret: Pick<Selectable<IntegrationSecret>, (typeof SECRET)[number]> | null;
};

export interface ConnectionRowFilter {
  ids?: readonly string[];
  environments?: readonly IntegrationConnection["environment"][];
  /** Provider slugs or ids. */
  providers?: readonly string[];
  statuses?: readonly IntegrationConnectionStatus[];
}

const joined = (db: Db) =>
  db
    .selectFrom("IntegrationConnection as c")
    .innerJoin("IntegrationProvider as p", "p.id", "c.providerId")
    .leftJoin("IntegrationSecret as s", "s.id", "c.credentialSecretId")
    .select(CONNECTION.map((f) => `c.${f}` as const))
    .select(aliased("p", PROVIDER))
    .select(aliased("s", SECRET));

function pick(flat: Record<string, unknown>, keys: readonly (readonly [string, string])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [from, to] of keys) out[to] = flat[from];
  return out;
}

/** The joined row nested: `provider` and `secret` (null without a credential) beside the connection's columns. */
function nest(flat: Record<string, unknown>): ConnectionRow {
  const row: Record<string, unknown> = {};
  for (const f of CONNECTION) row[f] = flat[f];
  row.provider = pick(flat, PROVIDER_KEYS);
  row.secret = flat.s_name === null ? null : pick(flat, SECRET_KEYS);
  return row as ConnectionRow;
}

export async function connectionRow(db: Db, id: string): Promise<ConnectionRow | undefined> {
  const flat = await joined(db).where("c.id", "=", id).executeTakeFirst();
  return flat && nest(flat);
}

/** Connections matching every filter given (each a list of alternatives), by id. */
export async function connectionRows(db: Db, filter: ConnectionRowFilter = {}): Promise<ConnectionRow[]> {
  let q = joined(db);
  if (filter.ids?.length) q = q.where("c.id", "in", filter.ids);
  if (filter.environments?.length) q = q.where("c.environment", "in", filter.environments);
  if (filter.statuses?.length) q = q.where("c.status", "in", filter.statuses);
  const providers = filter.providers;
  if (providers?.length) q = q.where((eb) => eb.or([eb("p.slug", "in", providers), eb("p.id", "in", providers)]));
  return (await q.orderBy("c.id").execute()).map(nest);
}

/** The connection's status and credential, without the join; undefined when there is none. */
export function connectionState(db: Db, id: string) {
  const q = db.selectFrom("IntegrationConnection").select(["id", "status", "credentialSecretId"]);
  return q.where("id", "=", id).executeTakeFirst();
}

/** The id of the connection holding this provider, environment and name (other than `exceptId`), if any. */
export async function connectionIdNamed(
  db: Db,
  key: Pick<IntegrationConnection, "providerId" | "environment" | "name">,
  exceptId?: string,
): Promise<string | undefined> {
  let q = db.selectFrom("IntegrationConnection").select("id").where("providerId", "=", key.providerId);
  q = q.where("environment", "=", key.environment).where("name", "=", key.name);
  if (exceptId !== undefined) q = q.where("id", "<>", exceptId);
  return (await q.executeTakeFirst())?.id;
}

export async function insertConnectionRow(db: Db, row: Insertable<IntegrationConnection>): Promise<void> {
  await db.insertInto("IntegrationConnection").values(row).execute();
}

export async function updateConnectionRow(db: Db, id: string, set: Updateable<IntegrationConnection>): Promise<void> {
  await db.updateTable("IntegrationConnection").set(set).where("id", "=", id).execute();
}

/** Back to PENDING (until checked) if it is disabled; an enabled connection is left as it is. */
export async function enableConnectionRow(db: Db, id: string, now: Date): Promise<void> {
  await db
    .updateTable("IntegrationConnection")
    .set({ status: IntegrationConnectionStatus.PENDING, disabledAt: null, updatedAt: now })
    .where("id", "=", id)
    .where("status", "=", IntegrationConnectionStatus.DISABLED)
    .execute();
}

export async function deleteConnectionRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom("IntegrationConnection").where("id", "=", id).execute();
}

// A check writes one of these per connection, in one transaction: compiled once.
const checked = (healthy: boolean) =>
  prepared(
    ["status", "at", "id"],
    (db, p) =>
      db
        .updateTable("IntegrationConnection")
        .set({ status: p.status, lastCheckedAt: p.at, ...(healthy ? { lastHealthyAt: p.at } : {}), updatedAt: p.at })
        .where("id", "=", p.id)
        .where("status", "<>", IntegrationConnectionStatus.DISABLED),
    { key: `integration-connection.checked-${healthy ? "healthy" : "not-healthy"}` },
  );
const checkedHealthy = checked(true);
const checkedNotHealthy = checked(false);

/** A check's result; a connection disabled meanwhile stays disabled. */
export async function recordCheck(db: Db, id: string, status: IntegrationConnectionStatus, at: Date): Promise<void> {
  const statement = status === IntegrationConnectionStatus.HEALTHY ? checkedHealthy : checkedNotHealthy;
  await statement.run(db, { status, at, id });
}

/** PostgreSQL: the row locked for the caller's transaction (SQLite's BEGIN IMMEDIATE holds the database). */
export async function lockConnectionRow(db: Db, id: string): Promise<void> {
  if (providerOf(db) !== "postgresql") return;
  await db.selectFrom("IntegrationConnection").select("id").where("id", "=", id).forUpdate().execute();
}

/**
 * PostgreSQL: one refresher of a connection's access token at a time, until the caller's
 * transaction ends (SQLite's BEGIN IMMEDIATE already holds the database's write lock).
 */
export async function lockTokenRefresh(db: Db, connectionId: string): Promise<void> {
  if (providerOf(db) !== "postgresql") return;
  await transactionLock(db, LOCK.tokenRefresh, connectionId);
}

// For the secrets and integrity services (secrets delete; the configuration MAC).

type Connection = Selectable<IntegrationConnection>;
type Column = keyof Connection & string;
export type ConnectionMacRow = Pick<Connection, "id"> & Partial<Connection>;

/** The connections whose credential is this secret, by id. */
export async function connectionIdsWithCredential(db: Db, secretId: string): Promise<string[]> {
  const q = db.selectFrom("IntegrationConnection").select("id").where("credentialSecretId", "=", secretId);
  return (await q.orderBy("id").execute()).map((r) => r.id);
}

/** The columns the configuration MAC covers, of one connection. */
export function connectionMacFields(
  db: Db,
  id: string,
  columns: readonly Column[],
): Promise<ConnectionMacRow | undefined> {
  const q = db.selectFrom("IntegrationConnection").select(["id", ...columns]);
  return q.where("id", "=", id).executeTakeFirst();
}

/** The same for every connection that has no MAC yet (written before intg sealed them), by id. */
export function unsealedConnections(db: Db, columns: readonly Column[]): Promise<ConnectionMacRow[]> {
  const q = db
    .selectFrom("IntegrationConnection")
    .select(["id", ...columns])
    .where("configMac", "is", null);
  return q.orderBy("id").execute();
}

export async function setConnectionConfigMac(db: Db, id: string, configMac: string): Promise<void> {
  await db.updateTable("IntegrationConnection").set({ configMac }).where("id", "=", id).execute();
}

/** Connections with a MAC: any means an integrity root existed once. */
export async function countSealedConnections(db: Db): Promise<number> {
  const q = db.selectFrom("IntegrationConnection").select((eb) => eb.fn.countAll().as("n"));
  return count((await q.where("configMac", "is not", null).executeTakeFirst())?.n);
}

// Statements on "IntegrationConnection" that the references read: a connection named by id or name.

export interface ConnectionBriefRow {
  id: string;
  name: string;
  providerId: string;
}

export function connectionById(db: Db, id: string): Promise<ConnectionBriefRow | undefined> {
  return db
    .selectFrom("IntegrationConnection")
    .select(["id", "name", "providerId"])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** At most `limit` connections of that name (names are unique per provider and environment only). */
export function connectionsNamed(db: Db, name: string, limit: number): Promise<ConnectionBriefRow[]> {
  return db
    .selectFrom("IntegrationConnection")
    .select(["id", "name", "providerId"])
    .where("name", "=", name)
    .orderBy("id")
    .limit(limit)
    .execute();
}

/** Which of the ids name a connection. */
export async function existingConnectionIds(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("IntegrationConnection").select("id").where("id", "in", ids).execute();
  return rows.map((r) => r.id);
}

/**
 * `intg doctor`: connections whose last check was not healthy, or that were never checked, with
 * their provider's slug; disabled ones (or of a disabled provider) are off on purpose and left out.
 */
export function connectionsNotHealthy(db: Db) {
  const { HEALTHY, DISABLED } = IntegrationConnectionStatus;
  return db
    .selectFrom("IntegrationConnection as c")
    .innerJoin("IntegrationProvider as p", "p.id", "c.providerId")
    .select(["c.id", "c.name", "c.status", "c.lastCheckedAt", "p.slug"])
    .where("c.status", "not in", [HEALTHY, DISABLED])
    .where("p.status", "<>", IntegrationProviderStatus.DISABLED)
    .orderBy("c.id")
    .execute();
}
