import { CompiledQuery, sql } from "kysely";
import { DeliveryStatus } from "../../generated/kysely/enums.js";
import type { Db } from "../../kysely.js";
import { jsonStrings } from "../../json-rows.js";
import { type Compiled, compileFor, prepared, providerOf } from "../../prepared.js";
import type { Provider } from "../../url.js";

// The worker's claim, lease heartbeat and release.

/**
 * A delivery as a claim leases it. Without its event's payload: with fan-out (one event, many
 * endpoints) a payload per row read and shipped the same bytes once per endpoint; the worker reads
 * each event's once (eventPayloads).
 */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  endpointId: string;
  /** Attempts made before this one. */
  attemptCount: number;
}

/** What a statement leasing deliveries returns (ClaimedDelivery). */
export const CLAIMED_COLUMNS = ["id", "eventId", "endpointId", "attemptCount"] as const;

/** Expired: a dead worker's leases. Due: pending deliveries whose time has come. Oldest first, both. */
export type ClaimKind = "expired" | "due";
type ClaimValues = { owner: string; lease: Date; now: Date; limit: number };
type EndpointClaimValues = ClaimValues & { endpoint: string };

const claims = new Map<string, Compiled<ClaimedDelivery, keyof EndpointClaimValues>>();

/**
 * Leases up to `limit` of the deliveries whose lease expired (a dead worker's), of enabled endpoints
 * without a rate limit, to `owner` in one statement, so one atomic step on either provider: on
 * SQLite it holds the write lock for its duration; on PostgreSQL the inner SELECT is FOR UPDATE SKIP
 * LOCKED, so concurrent workers take rows the others have not locked, and none waits or
 * double-claims. Compiled once per provider: it runs per refill. Due deliveries are claimed with
 * endpoints taking turns (claim-rotating.ts); rate-limited endpoints' one endpoint at a time
 * (claimEndpointDeliveries).
 */
export async function claimExpired(db: Db, provider: Provider, values: ClaimValues): Promise<ClaimedDelivery[]> {
  return (await statementFor(provider, "expired", false).run(db, { ...values, endpoint: null })).rows;
}

/** The same claim for one endpoint's deliveries only, whatever its limit (the caller paces them). */
export async function claimEndpointDeliveries(
  db: Db,
  provider: Provider,
  kind: ClaimKind,
  values: EndpointClaimValues,
): Promise<ClaimedDelivery[]> {
  return (await statementFor(provider, kind, true).run(db, values)).rows;
}

function statementFor(provider: Provider, kind: ClaimKind, scoped: boolean) {
  const key = `${provider}:${kind}:${scoped}`;
  let statement = claims.get(key);
  if (!statement) claims.set(key, (statement = prepareClaim(provider, kind, scoped)));
  return statement;
}

function prepareClaim(
  provider: Provider,
  kind: ClaimKind,
  scoped: boolean,
): Compiled<ClaimedDelivery, keyof EndpointClaimValues> {
  const pg = provider === "postgresql";
  // SQLite picks the rows by rowid: by "id" each would be found through its text index first.
  const key = pg ? "id" : "rowid";
  const [status, at] =
    kind === "expired"
      ? ([DeliveryStatus.SENDING, "d.leaseExpiresAt"] as const)
      : ([DeliveryStatus.PENDING, "d.nextAttemptAt"] as const);
  const names = ["owner", "lease", "now", "limit", ...(scoped ? (["endpoint"] as const) : [])] as const;
  return compileFor(provider, names, (k, p) => {
    // Each kind walks its own index in order and stops at the limit (an OR of both would sort
    // every due row on every claim).
    const base = k
      .selectFrom("WebhookDelivery as d")
      .select(sql.ref<string>(`d.${key}`).as("key"))
      .where("d.status", "=", status)
      .where(at, "<=", p.now);
    const unlimited = k
      .selectFrom("WebhookEndpoint as e")
      .select("e.id")
      .where("e.enabled", "=", true)
      .where("e.rateLimitPerSecond", "is", null);
    // On PostgreSQL the endpoint test is written so no index can serve it: a planner without
    // statistics otherwise reads every due delivery through the endpoint index and sorts them all,
    // on every claim (see priceOutSorts).
    const endpoints = pg
      ? base.where((eb) => eb(eb.parens("d.endpointId", "in", unlimited), "is", true))
      : base.where("d.endpointId", "in", unlimited);
    const picked = (scoped ? base.where("d.endpointId", "=", p.endpoint) : endpoints).orderBy(at).limit(p.limit);
    return k
      .updateTable("WebhookDelivery")
      .set({ status: DeliveryStatus.SENDING, leaseOwner: p.owner, leaseExpiresAt: p.lease, updatedAt: p.now })
      .where(sql.ref(key), "in", pg ? picked.forUpdate().skipLocked() : picked)
      .returning(CLAIMED_COLUMNS);
  });
}

const renewal = prepared(["owner", "lease", "ids"], (k, p) =>
  k
    .updateTable("WebhookDelivery")
    .set({ leaseExpiresAt: p.lease })
    .where("leaseOwner", "=", p.owner)
    .where("status", "=", DeliveryStatus.SENDING)
    .where("id", "in", jsonStrings(providerOf(k), p.ids))
    .returning("id"),
);

/**
 * Pushes out the lease of each of `ids` that `owner` still holds (the worker's heartbeat); returns
 * those. One it held and does not any more (its lease ran out and another worker took it) is not
 * among them; nor is one it holds without knowing (a claim that committed, then failed on its way
 * back), which is left to run out, and to be claimed again, rather than renewed for ever.
 */
export async function renewLeases(db: Db, owner: string, lease: Date, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  return (await renewal.run(db, { owner, lease, ids: JSON.stringify(ids) })).rows.map((r) => r.id);
}

/** IN lists are cut into chunks: SQLite binds at most 32,766 parameters, and short lists plan well. */
const RELEASE_CHUNK = 500;

/**
 * Hands deliveries `owner` claimed but never attempted back, due at once, for any worker; those of
 * an endpoint disabled meanwhile are cancelled, as its disabling cancelled the rest of its backlog
 * (handed back, they stayed PENDING for good: no claim takes a disabled endpoint's deliveries).
 */
export async function releaseDeliveries(db: Db, owner: string, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += RELEASE_CHUNK) {
    await db
      .updateTable("WebhookDelivery")
      .set({ status: DeliveryStatus.CANCELLED, nextAttemptAt: null, leaseOwner: null, leaseExpiresAt: null })
      .where("leaseOwner", "=", owner)
      .where("status", "=", DeliveryStatus.SENDING)
      .where("id", "in", ids.slice(i, i + RELEASE_CHUNK))
      .where("endpointId", "in", (eb) => eb.selectFrom("WebhookEndpoint").select("id").where("enabled", "=", false))
      .execute();
    await db
      .updateTable("WebhookDelivery")
      .set({ status: DeliveryStatus.PENDING, leaseOwner: null, leaseExpiresAt: null })
      .where("leaseOwner", "=", owner)
      .where("status", "=", DeliveryStatus.SENDING)
      .where("id", "in", ids.slice(i, i + RELEASE_CHUNK))
      .execute();
  }
}

const SORTS_OFF = CompiledQuery.raw("SET LOCAL enable_sort = off");

/**
 * PostgreSQL, inside a transaction: a young queue table without statistics looks a few rows long,
 * so its planner read every due delivery and sorted them to take the oldest, on every claim (12 ms
 * for a 20,000-delivery backlog, and growing with it). With sorts priced out it walks the (status,
 * time) index in order and stops at the claim's limit. For the open transaction only.
 */
export async function priceOutSorts(db: Db): Promise<void> {
  await db.executeQuery(SORTS_OFF);
}

const BITMAPS_OFF = CompiledQuery.raw("SET LOCAL enable_bitmapscan = off");

/**
 * PostgreSQL, inside a transaction: the rotating claim counts what its worker holds of each endpoint
 * through the (endpointId, status, …) index, where every claim and record leaves an entry for a row
 * version that is now dead. A bitmap scan reads those entries again on every claim (57,799 after
 * 60,000 deliveries: 5 ms of a 16 ms claim); a plain index scan marks each dead one it meets, and
 * later scans pass over it. For the open transaction only.
 */
export async function priceOutBitmapScans(db: Db): Promise<void> {
  await db.executeQuery(BITMAPS_OFF);
}
