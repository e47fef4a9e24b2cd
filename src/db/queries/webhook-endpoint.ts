import { type Insertable, type Selectable, sql, type Updateable } from "kysely";
import type { RetentionPolicy } from "../generated/kysely/enums.js";
import type { WebhookEndpoint } from "../generated/kysely/types.js";
import { count, type Db } from "../kysely.js";
import { prepared, providerOf } from "../prepared.js";

// Every statement on "WebhookEndpoint": where events are sent, with their sealed secrets and headers.
// Reads that join the endpoint's webhook (its retry schedule and retention) live here too.

type Ciphertexts = "secretCiphertext" | "previousSecretCiphertext" | "olderSecretCiphertext";
/** The worker's own bookkeeping (the claim's rate-limit clock): no part of an endpoint's view. */
type WorkerState = "rateLimitTat";

/** What a view reads of an endpoint (never a ciphertext), with its webhook's schedule and retention. */
export type EndpointRow = Omit<Selectable<WebhookEndpoint>, Ciphertexts | WorkerState> & {
  webhookRetrySchedule: unknown;
  webhookRetention: RetentionPolicy | null;
};

const viewed = (db: Db) =>
  db
    .selectFrom("WebhookEndpoint as e")
    .leftJoin("Webhook as w", "w.id", "e.webhookId")
    .select([
      "e.id",
      "e.webhookId",
      "e.url",
      "e.description",
      "e.channel",
      "e.eventFilter",
      "e.headers",
      "e.timeoutMs",
      "e.retrySchedule",
      "e.rateLimitPerSecond",
      "e.maxInFlight",
      "e.transformation",
      "e.previousSecretExpiresAt",
      "e.olderSecretExpiresAt",
      "e.allowPrivateNetwork",
      "e.enabled",
      "e.disabledAt",
      "e.disabledReason",
      "e.lastSuccessAt",
      "e.failingSince",
      "e.configMac",
      "e.createdAt",
      "e.updatedAt",
      "w.retrySchedule as webhookRetrySchedule",
      "w.retentionPolicy as webhookRetention",
    ]);

/** One endpoint; with `lock`, PostgreSQL holds its row for the caller's transaction. */
export function endpointRowById(db: Db, id: string, lock = false): Promise<EndpointRow | undefined> {
  const q = viewed(db).where("e.id", "=", id);
  return (lock && providerOf(db) === "postgresql" ? q.forUpdate("e") : q).executeTakeFirst();
}

export function endpointRows(db: Db, filter: { enabled?: boolean } = {}): Promise<EndpointRow[]> {
  const q = viewed(db);
  return (filter.enabled === undefined ? q : q.where("e.enabled", "=", filter.enabled)).orderBy("e.id").execute();
}

/** The enabled endpoints' filters, for queueing a send's deliveries. */
export function enabledEndpointFilters(db: Db): Promise<{ id: string; eventFilter: unknown }[]> {
  const q = db.selectFrom("WebhookEndpoint").select(["id", "eventFilter"]);
  return q.where("enabled", "=", true).orderBy("id").execute();
}

export async function insertEndpointRow(db: Db, row: Insertable<WebhookEndpoint>): Promise<void> {
  await db.insertInto("WebhookEndpoint").values(row).execute();
}

/** Returns how many rows changed (0: no such endpoint). */
export async function updateEndpointRow(db: Db, id: string, set: Updateable<WebhookEndpoint>): Promise<number> {
  const r = await db.updateTable("WebhookEndpoint").set(set).where("id", "=", id).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Deletes the endpoint; its deliveries and their attempts go with it by cascade. */
export async function deleteEndpointRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom("WebhookEndpoint").where("id", "=", id).execute();
}

export async function endpointWebhookId(db: Db, id: string): Promise<string | null> {
  const row = await db.selectFrom("WebhookEndpoint").select("webhookId").where("id", "=", id).executeTakeFirst();
  return row?.webhookId ?? null;
}

/** The ids of the endpoints whose webhook keeps `policy` (`fallback` for those without one). */
export function endpointIdsUnderPolicy(db: Db, policy: RetentionPolicy, fallback: RetentionPolicy) {
  return db
    .selectFrom("WebhookEndpoint as e")
    .leftJoin("Webhook as w", "w.id", "e.webhookId")
    .select("e.id")
    .where((eb) => eb(eb.fn.coalesce(eb.cast<string>("w.retentionPolicy", "text"), eb.val(fallback)), "=", policy));
}

/** The retention policies in use, an endpoint without a webhook counting as `fallback`. */
export async function endpointRetentionPolicies(db: Db, fallback: RetentionPolicy): Promise<RetentionPolicy[]> {
  const rows = await db
    .selectFrom("WebhookEndpoint as e")
    .leftJoin("Webhook as w", "w.id", "e.webhookId")
    .select((eb) => eb.fn.coalesce(eb.cast<string>("w.retentionPolicy", "text"), eb.val(fallback)).as("policy"))
    .distinct()
    .execute();
  return rows.map((r) => r.policy as RetentionPolicy);
}

/** The headers column as stored (sealed, an older plaintext object, or null); undefined: no such endpoint. */
export async function endpointHeadersColumn(db: Db, id: string): Promise<unknown> {
  return (await db.selectFrom("WebhookEndpoint").select("headers").where("id", "=", id).executeTakeFirst())?.headers;
}

/** Every endpoint's headers column that holds something (counting sealed sets per master key). */
export function storedHeaderColumns(db: Db): Promise<{ headers: unknown }[]> {
  return db.selectFrom("WebhookEndpoint").select("headers").where("headers", "is not", null).execute();
}

const SECRET_COLUMNS = [
  "secretCiphertext",
  "previousSecretCiphertext",
  "previousSecretExpiresAt",
  "olderSecretCiphertext",
  "olderSecretExpiresAt",
] as const;
export type SecretColumns = Pick<Selectable<WebhookEndpoint>, (typeof SECRET_COLUMNS)[number]>;

/** The ciphertexts with their ends, read in one statement so a concurrent rotation cannot pair them wrongly. */
export function endpointSecretColumns(db: Db, id: string): Promise<SecretColumns | undefined> {
  return db.selectFrom("WebhookEndpoint").select(SECRET_COLUMNS).where("id", "=", id).executeTakeFirst();
}

// The master key an envelope is sealed under, read off its text (`v1.<keyId>.…`): counting must
// not fail on a damaged row. Literal positions, so PostgreSQL matches the GROUP BY to the select.
const CIPHERTEXTS = ["secretCiphertext", "previousSecretCiphertext", "olderSecretCiphertext"] as const;

/** Signing secrets (current, previous and older) per master key id. */
export async function endpointSecretKeyCounts(db: Db): Promise<{ masterKeyId: string; n: number }[]> {
  const out: { masterKeyId: string; n: number }[] = [];
  for (const column of CIPHERTEXTS) {
    const rows = await db
      .selectFrom("WebhookEndpoint")
      .select((eb) => [
        eb.fn<string>("SUBSTR", [eb.ref(column), eb.lit(4), eb.lit(16)]).as("masterKeyId"),
        eb.fn.countAll().as("n"),
      ])
      .where(column, "is not", null)
      .groupBy((eb) => eb.fn<string>("SUBSTR", [eb.ref(column), eb.lit(4), eb.lit(16)]))
      .execute();
    out.push(...rows.map((r) => ({ masterKeyId: r.masterKeyId, n: count(r.n) })));
  }
  return out;
}

/** The master key ids the endpoints' current secrets are sealed under. */
export async function endpointSecretMasterKeyIds(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom("WebhookEndpoint")
    .select((eb) => eb.fn<string>("SUBSTR", [eb.ref("secretCiphertext"), eb.lit(4), eb.lit(16)]).as("masterKeyId"))
    .distinct()
    .execute();
  return rows.map((r) => r.masterKeyId);
}

/** Endpoints whose configuration carries an integrity MAC. */
export async function countMacedEndpoints(db: Db): Promise<number> {
  const row = await db
    .selectFrom("WebhookEndpoint")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("configMac", "is not", null)
    .executeTakeFirst();
  return count(row?.n);
}

/** A few endpoints whose current secret is sealed under one of `keyIds` (does the ring open any?). */
export function endpointSecretsUnder(db: Db, keyIds: readonly string[], limit: number) {
  return db
    .selectFrom("WebhookEndpoint")
    .select(["id", "secretCiphertext as ciphertext"])
    .where((eb) => eb(eb.fn<string>("SUBSTR", [eb.ref("secretCiphertext"), eb.lit(4), eb.lit(16)]), "in", keyIds))
    .orderBy("id")
    .limit(limit)
    .execute();
}

/**
 * Endpoints with a signing secret not sealed under the key of `prefix` (`v1.<keyId>.%`), for a
 * master-key rotation's batch; PostgreSQL holds them for the caller's transaction.
 */
export function endpointsToReseal(db: Db, prefix: string, size: number) {
  const q = db
    .selectFrom("WebhookEndpoint")
    .select(["id", "secretCiphertext", "previousSecretCiphertext", "olderSecretCiphertext"])
    .where((eb) =>
      eb.or([
        eb("secretCiphertext", "not like", prefix),
        eb.and([eb("previousSecretCiphertext", "is not", null), eb("previousSecretCiphertext", "not like", prefix)]),
        eb.and([eb("olderSecretCiphertext", "is not", null), eb("olderSecretCiphertext", "not like", prefix)]),
      ]),
    )
    .orderBy("id")
    .limit(size);
  return (providerOf(db) === "postgresql" ? q.forUpdate() : q).execute();
}

/** Endpoints whose headers are plaintext, or sealed under another key than `prefix`'s (locked likewise). */
export function endpointHeadersToReseal(db: Db, prefix: string, size: number) {
  const pg = providerOf(db) === "postgresql";
  // The envelope's text inside the JSON column: each provider has its own JSON operators.
  const sealed = pg
    ? sql<string | null>`("headers"->>'sealed')`
    : sql<string | null>`json_extract("headers", '$.sealed')`;
  const q = db
    .selectFrom("WebhookEndpoint")
    .select(["id", "headers"])
    .where("headers", "is not", null)
    .where((eb) => eb.or([eb(sealed, "is", null), eb(sealed, "not like", prefix)]))
    .orderBy("id")
    .limit(size);
  return (pg ? q.forUpdate() : q).execute();
}

// The configuration an endpoint's integrity MAC covers (integrity/config-mac.ts), and the MAC.
const macFields = (db: Db) => db.selectFrom("WebhookEndpoint").select(["id", "url", "channel", "allowPrivateNetwork"]);

export function endpointMacFields(db: Db, id: string) {
  return macFields(db).where("id", "=", id).executeTakeFirst();
}

export function endpointsWithoutMac(db: Db) {
  return macFields(db).where("configMac", "is", null).orderBy("id").execute();
}

export async function setEndpointMac(db: Db, id: string, mac: string): Promise<void> {
  await db.updateTable("WebhookEndpoint").set({ configMac: mac }).where("id", "=", id).execute();
}

// Every statement on "WebhookEndpoint": where deliveries go, how they are signed, and its health.

// The worker records each batch's effect on its endpoints: compiled once.
const succeeded = prepared(["id", "now"], (k, p) =>
  k.updateTable("WebhookEndpoint").set({ lastSuccessAt: p.now, failingSince: null }).where("id", "=", p.id),
);
const failing = prepared(["id", "now"], (k, p) =>
  k
    .updateTable("WebhookEndpoint")
    .set((eb) => ({ failingSince: eb.fn.coalesce("failingSince", eb.val(p.now)) }))
    .where("id", "=", p.id),
);
const stale = prepared(["id", "cutoff"], (k, p) =>
  k
    .selectFrom("WebhookEndpoint")
    .select("failingSince")
    .where("id", "=", p.id)
    .where("enabled", "=", true)
    .where("failingSince", "<=", p.cutoff),
);

/** A delivery to the endpoint succeeded: it is failing no more. */
export async function markEndpointSucceeded(db: Db, id: string, now: Date): Promise<void> {
  await succeeded.run(db, { id, now });
}

/** An attempt failed, and none to it succeeded in the batch: failing since now, unless it already was. */
export async function markEndpointFailing(db: Db, id: string, now: Date): Promise<void> {
  await failing.run(db, { id, now });
}

/** When an enabled endpoint began failing, if that is at or before `cutoff`. */
export async function endpointFailingSince(db: Db, id: string, cutoff: Date): Promise<Date | undefined> {
  return (await stale.run(db, { id, cutoff })).rows[0]?.failingSince ?? undefined;
}

/** Disables an enabled endpoint with a reason; false when it was not enabled (or is gone). */
export async function disableEnabledEndpoint(db: Db, id: string, reason: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable("WebhookEndpoint")
    .set({ enabled: false, disabledAt: now, disabledReason: reason, updatedAt: now })
    .where("id", "=", id)
    .where("enabled", "=", true)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/**
 * Of `ids`, the endpoints disabled at `since` or later, and why: what a batch written again finds of
 * its own first try's disabling, whose answer was lost with the commit's.
 */
export function endpointsDisabledSince(
  db: Db,
  ids: readonly string[],
  since: Date,
): Promise<{ id: string; disabledReason: string | null }[]> {
  return db
    .selectFrom("WebhookEndpoint")
    .select(["id", "disabledReason"])
    .where("id", "in", ids)
    .where("enabled", "=", false)
    .where("disabledAt", ">=", since)
    .orderBy("id")
    .execute();
}

type EndpointRowOf = Selectable<WebhookEndpoint>;

/** Every endpoint's routing: its event filter, and whether it is enabled. */
export function endpointRoutes(db: Db): Promise<Pick<EndpointRowOf, "id" | "eventFilter" | "enabled">[]> {
  return db.selectFrom("WebhookEndpoint").select(["id", "eventFilter", "enabled"]).orderBy("id").execute();
}

/** `intg doctor`: the endpoints that are disabled or failing (enabled, with no success since a failure). */
export function endpointsDisabledOrFailing(db: Db) {
  return db
    .selectFrom("WebhookEndpoint")
    .select(["id", "url", "enabled", "disabledReason", "failingSince"])
    .where((eb) => eb.or([eb("enabled", "=", false), eb("failingSince", "is not", null)]))
    .orderBy("id")
    .execute();
}

/**
 * The enabled rate-limited endpoints with their GCRA clocks, for the worker's claim. PostgreSQL holds
 * them for the claim's transaction, skipping those another worker's claim holds (it paces them now);
 * FOR NO KEY UPDATE, so deliveries queued for them meanwhile (a foreign key's share lock) do not wait.
 */
export function rateLimitedEndpoints(
  db: Db,
): Promise<{ id: string; rate: number; tat: Date | null; maxInFlight: number }[]> {
  const q = db
    .selectFrom("WebhookEndpoint")
    .select(["id", "rateLimitPerSecond as rate", "rateLimitTat as tat", "maxInFlight"])
    .where("enabled", "=", true)
    .where("rateLimitPerSecond", "is not", null)
    .$narrowType<{ rate: number }>();
  return (providerOf(db) === "postgresql" ? q.forNoKeyUpdate().skipLocked() : q).execute();
}

const anyLimited = prepared([], (k) =>
  k
    .selectFrom("WebhookEndpoint")
    .select("id")
    .where("enabled", "=", true)
    .where("rateLimitPerSecond", "is not", null)
    .limit(1),
);

/** Whether any enabled endpoint has a rate limit: a read, so an idle worker need not open a write transaction. */
export async function anyRateLimitedEndpoint(db: Db): Promise<boolean> {
  return (await anyLimited.first(db, {})) !== undefined;
}

export async function setRateLimitTat(db: Db, id: string, tat: Date): Promise<void> {
  await db.updateTable("WebhookEndpoint").set({ rateLimitTat: tat }).where("id", "=", id).execute();
}
