import {
  type Expression,
  expressionBuilder,
  type SqlBool,
  CompiledQuery,
  type ExpressionBuilder,
  type Selectable,
  sql,
} from "kysely";
import { DeliveryStatus, type RetentionPolicy } from "../generated/kysely/enums.js";
import type { DB, WebhookDelivery } from "../generated/kysely/types.js";
import { count, type Db, type Prepared, prepare } from "../kysely.js";
import { preparedOnce, providerOf } from "../prepared-once.js";
import { endpointIdsUnderPolicy } from "./webhook-endpoint.js";
import type { Provider } from "../url.js";

// Statements on "WebhookDelivery" made outside the worker: queueing a send's deliveries, cancelling
// a disabled endpoint's backlog, the counts health and metrics read, and retention's deletes.

const WAITING = [DeliveryStatus.PENDING, DeliveryStatus.SENDING];

// Once per delivery of a send (thousands in a batch): compiled once per provider.
const insertQueued = preparedOnce(["id", "eventId", "endpointId", "now"], (db, p) =>
  db.insertInto("WebhookDelivery").values({
    id: p.id,
    eventId: p.eventId,
    endpointId: p.endpointId,
    status: DeliveryStatus.PENDING,
    attemptCount: 0,
    nextAttemptAt: p.now,
    createdAt: p.now,
    updatedAt: p.now,
  }),
);

/** A delivery of the event to the endpoint, due now. */
export async function insertQueuedDelivery(
  db: Db,
  row: { id: string; eventId: string; endpointId: string; now: Date },
): Promise<void> {
  await insertQueued(db).run(db, row);
}

/**
 * Cancels an endpoint's PENDING deliveries and those SENDING under a lease run out by `now` (the
 * claim's own test); a live lease is left to its worker. Returns how many were cancelled.
 */
export async function cancelEndpointBacklogRows(db: Db, endpointId: string, now: Date): Promise<number> {
  const r = await db
    .updateTable("WebhookDelivery")
    .set({ status: DeliveryStatus.CANCELLED, nextAttemptAt: null, leaseOwner: null, leaseExpiresAt: null })
    .set({ updatedAt: now })
    .where("endpointId", "=", endpointId)
    .where((eb) =>
      eb.or([
        eb("status", "=", DeliveryStatus.PENDING),
        eb.and([eb("status", "=", DeliveryStatus.SENDING), eb("leaseExpiresAt", "<=", now)]),
      ]),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function countEndpointDeliveries(db: Db, endpointId: string): Promise<number> {
  const row = await db
    .selectFrom("WebhookDelivery")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("endpointId", "=", endpointId)
    .executeTakeFirst();
  return count(row?.n);
}

// An aggregate's column has no declared type on SQLite, so MIN of a date comes back as its text.
const dateOf = (v: Date | string | null | undefined) => (v === null || v === undefined ? null : new Date(v));

/** Deliveries still waiting (PENDING or SENDING), and when the oldest was created. */
export async function deliveryBacklog(db: Db, endpointId: string): Promise<{ n: number; oldest: Date | null }> {
  const row = await db
    .selectFrom("WebhookDelivery")
    .select((eb) => [eb.fn.countAll().as("n"), eb.fn.min("createdAt").as("oldest")])
    .where("endpointId", "=", endpointId)
    .where("status", "in", WAITING)
    .executeTakeFirst();
  return { n: count(row?.n), oldest: dateOf(row?.oldest) };
}

/** SENDING deliveries whose lease ran out by `now` (a worker died holding them), and the first lease's end. */
export async function stalledDeliveries(db: Db, endpointId: string, now: Date) {
  const row = await db
    .selectFrom("WebhookDelivery")
    .select((eb) => [eb.fn.countAll().as("n"), eb.fn.min("leaseExpiresAt").as("since")])
    .where("endpointId", "=", endpointId)
    .where("status", "=", DeliveryStatus.SENDING)
    .where("leaseExpiresAt", "<=", now)
    .executeTakeFirst();
  return { n: count(row?.n), since: dateOf(row?.since) };
}

/** How many of an endpoint's deliveries created in [since, until] are in each status. */
export async function deliveryStatusCounts(
  db: Db,
  endpointId: string,
  since: Date,
  until: Date,
): Promise<Map<DeliveryStatus, number>> {
  const rows = await db
    .selectFrom("WebhookDelivery")
    .select((eb) => ["status", eb.fn.countAll().as("n")])
    .where("endpointId", "=", endpointId)
    .where("createdAt", ">=", since)
    .where("createdAt", "<=", until)
    .groupBy("status")
    .execute();
  return new Map(rows.map((r) => [r.status, count(r.n)]));
}

/** Retention: each policy kept, and the creation time before which its deliveries go. */
export type PruneCutoffs = ReadonlyArray<readonly [policy: RetentionPolicy, before: Date]>;

/**
 * The prunable-delivery predicate over alias `d`: finished (never PENDING or SENDING, however old),
 * and created before the cutoff of its endpoint's policy (`fallback` for an endpoint without a webhook).
 */
export function prunable(db: Db, cutoffs: PruneCutoffs, fallback: RetentionPolicy): Expression<SqlBool> {
  const eb = expressionBuilder<DB & { d: WebhookDelivery }, "d">();
  if (cutoffs.length === 0) return eb.lit(false);
  return eb.and([
    eb("d.status", "not in", WAITING),
    eb.or(
      cutoffs.map(([policy, before]) =>
        eb.and([
          eb("d.endpointId", "in", endpointIdsUnderPolicy(db, policy, fallback)),
          eb("d.createdAt", "<", before),
        ]),
      ),
    ),
  ]);
}

export async function countPrunableDeliveries(db: Db, where: Expression<SqlBool>): Promise<number> {
  const row = await db
    .selectFrom("WebhookDelivery as d")
    .select((eb) => eb.fn.countAll().as("n"))
    .where(where)
    .executeTakeFirst();
  return count(row?.n);
}

/** Up to `limit` prunable ids; PostgreSQL locks them, so a replay cannot re-queue one before it goes. */
export async function prunableDeliveryIds(db: Db, where: Expression<SqlBool>, limit: number): Promise<string[]> {
  const q = db.selectFrom("WebhookDelivery as d").select("d.id").where(where).limit(limit);
  return (await (providerOf(db) === "postgresql" ? q.forUpdate() : q).execute()).map((r) => r.id);
}

export async function deleteDeliveries(db: Db, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db.deleteFrom("WebhookDelivery").where("id", "in", ids).executeTakeFirst();
  return Number(r.numDeletedRows);
}

// Every statement on "WebhookDelivery": one delivery per (event, endpoint), its state and lease.

// ─── the worker, deliveries, export and replay ───

/** A delivery as a claim hands it to the worker: the event's payload rides along. */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  endpointId: string;
  /** Attempts made before this one. */
  attemptCount: number;
  payload: string;
}

/** Expired: a dead worker's leases. Due: pending deliveries whose time has come. Oldest first, both. */
export type ClaimKind = "expired" | "due";
type ClaimValues = { owner: string; lease: Date; now: Date; limit: number };

const claims = new Map<string, Prepared<ClaimedDelivery, keyof ClaimValues>>();

/**
 * Leases up to `limit` deliveries of enabled endpoints to `owner` in one statement, so one atomic
 * step on either provider: on SQLite it holds the write lock for its duration; on PostgreSQL the
 * inner SELECT is FOR UPDATE SKIP LOCKED, so concurrent workers take rows the others have not
 * locked, and none waits or double-claims. Compiled once per provider and kind: it runs per refill.
 */
export async function claimDeliveries(
  db: Db,
  provider: Provider,
  kind: ClaimKind,
  values: ClaimValues,
): Promise<ClaimedDelivery[]> {
  const key = `${provider}:${kind}`;
  let statement = claims.get(key);
  if (!statement) claims.set(key, (statement = prepareClaim(provider, kind)));
  return (await statement.run(db, values)).rows;
}

function prepareClaim(provider: Provider, kind: ClaimKind): Prepared<ClaimedDelivery, keyof ClaimValues> {
  const pg = provider === "postgresql";
  // SQLite picks the rows by rowid: by "id" each would be found through its text index first.
  const key = pg ? "id" : "rowid";
  const [status, at] =
    kind === "expired"
      ? ([DeliveryStatus.SENDING, "d.leaseExpiresAt"] as const)
      : ([DeliveryStatus.PENDING, "d.nextAttemptAt"] as const);
  return prepare(provider, ["owner", "lease", "now", "limit"], (k, p) => {
    // Each kind walks its own index in order and stops at the limit (an OR of both would sort
    // every due row on every claim).
    const picked = k
      .selectFrom("WebhookDelivery as d")
      .select(sql.ref<string>(`d.${key}`).as("key"))
      .where("d.status", "=", status)
      .where(at, "<=", p.now)
      .where("d.endpointId", "in", k.selectFrom("WebhookEndpoint as e").select("e.id").where("e.enabled", "=", true))
      .orderBy(at)
      .limit(p.limit);
    return k
      .updateTable("WebhookDelivery")
      .set({ status: DeliveryStatus.SENDING, leaseOwner: p.owner, leaseExpiresAt: p.lease, updatedAt: p.now })
      .where(sql.ref(key), "in", pg ? picked.forUpdate().skipLocked() : picked)
      .returning(["id", "eventId", "endpointId", "attemptCount", (eb) => eventPayload(eb).as("payload")]);
  });
}

/** The payload of a delivery's event, for the RETURNING of a statement on "WebhookDelivery". */
const eventPayload = (eb: ExpressionBuilder<DB, "WebhookDelivery">) =>
  eb
    .selectFrom("WebhookEvent as ev")
    .select("ev.payload")
    .whereRef("ev.id", "=", "WebhookDelivery.eventId")
    .$asScalar();

const renewals = new Map<Provider, Prepared<unknown, "owner" | "lease">>();

/** Pushes out the lease of every delivery `owner` still holds (the worker's heartbeat); returns how many. */
export async function renewLeases(db: Db, provider: Provider, owner: string, lease: Date): Promise<number> {
  let statement = renewals.get(provider);
  if (!statement) {
    statement = prepare(provider, ["owner", "lease"], (k, p) =>
      k
        .updateTable("WebhookDelivery")
        .set({ leaseExpiresAt: p.lease })
        .where("leaseOwner", "=", p.owner)
        .where("status", "=", DeliveryStatus.SENDING),
    );
    renewals.set(provider, statement);
  }
  return Number((await statement.run(db, { owner, lease })).numAffectedRows ?? 0n);
}

/** IN lists are cut into chunks: SQLite binds at most 32,766 parameters, and short lists plan well. */
const RELEASE_CHUNK = 500;

/** Hands deliveries `owner` claimed but never attempted back, due at once, for any worker. */
export async function releaseDeliveries(db: Db, owner: string, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += RELEASE_CHUNK) {
    await db
      .updateTable("WebhookDelivery")
      .set({ status: DeliveryStatus.PENDING, leaseOwner: null, leaseExpiresAt: null })
      .where("leaseOwner", "=", owner)
      .where("status", "=", DeliveryStatus.SENDING)
      .where("id", "in", ids.slice(i, i + RELEASE_CHUNK))
      .execute();
  }
}

/** What an attempt made of its delivery, as recordOutcomes writes it. */
export type DeliveryOutcome = Pick<
  Selectable<WebhookDelivery>,
  "id" | "status" | "attemptCount" | "nextAttemptAt" | "lastStatusCode" | "lastError" | "deliveredAt"
> & { lastAttemptAt: Date };

// The VALUES columns in order, with the type PostgreSQL must be told (a bare parameter there is text).
const OUTCOME_COLUMNS = [
  ["id", "text"],
  ["status", `"DeliveryStatus"`],
  ["attemptCount", "int"],
  ["nextAttemptAt", "timestamp(3)"],
  ["lastAttemptAt", "timestamp(3)"],
  ["lastStatusCode", "int"],
  ["lastError", "text"],
  ["deliveredAt", "timestamp(3)"],
] as const satisfies readonly (readonly [keyof DeliveryOutcome, string])[];
type OutcomeRow = {
  column1: string;
  column2: DeliveryStatus;
  column3: number;
  column4: Date | null;
  column5: Date;
  column6: number | null;
  column7: string | null;
  column8: Date | null;
};
// Named by position (`${number}`) for the values, by name for the rest.
type OutcomeNames = "owner" | "now" | `${number}`;
const outcomeStatements = new Map<string, Prepared<unknown, OutcomeNames>>();

/**
 * One UPDATE for a run of deliveries, joined to their new values (a statement per delivery cost
 * twice as much on SQLite, and a round trip each on PostgreSQL), compiled once per provider and
 * row count. Only deliveries `owner` still holds change; each id at most once (with an id twice,
 * which values win is undefined). The status test is written so no index can serve it: a planner
 * without statistics (a young PostgreSQL table) otherwise walks every SENDING row through the
 * status index and joins each to every value row, where it should find each delivery by its id
 * (priceOutSeqScans prices out the other wrong plan, a sequential scan).
 */
export async function recordOutcomes(
  db: Db,
  provider: Provider,
  owner: string,
  now: Date,
  outcomes: readonly DeliveryOutcome[],
): Promise<void> {
  const key = `${provider}:${outcomes.length}`;
  let statement = outcomeStatements.get(key);
  if (!statement) outcomeStatements.set(key, (statement = prepareOutcomes(provider, outcomes.length)));
  // A value's name is its position: numeric keys, stored as an array's elements are.
  const values: Record<OutcomeNames, unknown> & Record<number, unknown> = { owner, now };
  let n = 0;
  for (const o of outcomes) for (const [column] of OUTCOME_COLUMNS) values[n++] = o[column];
  await statement.run(db, values);
}

function prepareOutcomes(provider: Provider, count: number): Prepared<unknown, OutcomeNames> {
  const pg = provider === "postgresql";
  const fields = OUTCOME_COLUMNS.length;
  const names: OutcomeNames[] = ["owner", "now", ...Array.from({ length: count * fields }, (_, i) => `${i}` as const)];
  return prepare(provider, names, (k, p) => {
    const value = (r: number, i: number, type: string) => {
      const v = p[`${r * fields + i}`];
      return pg ? sql`${v}::${sql.raw(type)}` : sql`${v}`;
    };
    const row = (r: number) => sql`(${sql.join(OUTCOME_COLUMNS.map(([, type], i) => value(r, i, type)))})`;
    const rows = sql<OutcomeRow>`(VALUES ${sql.join(Array.from({ length: count }, (_, r) => row(r)))})`;
    return k
      .updateTable("WebhookDelivery as d")
      .from(rows.as("v"))
      .set((eb) => ({
        status: eb.ref("v.column2"),
        attemptCount: eb.ref("v.column3"),
        nextAttemptAt: eb.ref("v.column4"),
        leaseOwner: null,
        leaseExpiresAt: null,
        lastAttemptAt: eb.ref("v.column5"),
        lastStatusCode: eb.ref("v.column6"),
        lastError: eb.ref("v.column7"),
        deliveredAt: eb.ref("v.column8"),
        updatedAt: p.now,
      }))
      .whereRef("d.id", "=", "v.column1")
      .where("d.leaseOwner", "=", p.owner)
      .where((eb) => eb(eb.parens("d.status", "=", DeliveryStatus.SENDING), "is", true));
  });
}

const SEQSCAN_OFF = CompiledQuery.raw("SET LOCAL enable_seqscan = off");

/**
 * PostgreSQL, inside a transaction: with no index for recordOutcomes' status test, a young table's
 * planner still chose a scan of the whole table, joined to every value row; with sequential scans
 * priced out it finds each delivery by its primary key. For the open transaction only.
 */
export async function priceOutSeqScans(db: Db): Promise<void> {
  await db.executeQuery(SEQSCAN_OFF);
}

type HoldValues = { id: string; owner: string; lease: Date; now: Date };
type NewHoldValues = HoldValues & { eventId: string; endpointId: string };
type HoldStatements = {
  existing: Prepared<unknown, keyof HoldValues>;
  created: Prepared<unknown, keyof NewHoldValues>;
};
const holds = new Map<Provider, HoldStatements>();

function holdStatements(provider: Provider): HoldStatements {
  let s = holds.get(provider);
  if (!s) {
    s = {
      existing: prepare(provider, ["id", "owner", "lease", "now"], (k, p) =>
        k
          .updateTable("WebhookDelivery")
          .set({ status: DeliveryStatus.SENDING, leaseOwner: p.owner, leaseExpiresAt: p.lease, updatedAt: p.now })
          .where("id", "=", p.id)
          .where("status", "<>", DeliveryStatus.SENDING),
      ),
      created: prepare(provider, ["id", "eventId", "endpointId", "owner", "lease", "now"], (k, p) =>
        k
          .insertInto("WebhookDelivery")
          .values({
            id: p.id,
            eventId: p.eventId,
            endpointId: p.endpointId,
            status: DeliveryStatus.SENDING,
            attemptCount: 0,
            leaseOwner: p.owner,
            leaseExpiresAt: p.lease,
            createdAt: p.now,
            updatedAt: p.now,
          })
          .onConflict((oc) => oc.columns(["eventId", "endpointId"]).doNothing()),
      ),
    };
    holds.set(provider, s);
  }
  return s;
}

/**
 * Leases a delivery to a replay unless a worker is sending it. Compiled once: a replay holds each
 * of its deliveries in turn, thousands in one transaction. False when it was not taken.
 */
export async function holdDelivery(db: Db, provider: Provider, values: HoldValues): Promise<boolean> {
  return ((await holdStatements(provider).existing.run(db, values)).numAffectedRows ?? 0n) > 0n;
}

/** A new delivery, leased to a replay from the start; false when the pair already has one. */
export async function insertHeldDelivery(db: Db, provider: Provider, values: NewHoldValues): Promise<boolean> {
  return ((await holdStatements(provider).created.run(db, values)).numAffectedRows ?? 0n) > 0n;
}

/** The replay's claim: renews the lease of those of `ids` that `owner` still holds, and hands them out. */
export function renewHeld(
  db: Db,
  owner: string,
  ids: readonly string[],
  lease: Date,
  now: Date,
): Promise<ClaimedDelivery[]> {
  return db
    .updateTable("WebhookDelivery")
    .set({ leaseExpiresAt: lease, updatedAt: now })
    .where("leaseOwner", "=", owner)
    .where("status", "=", DeliveryStatus.SENDING)
    .where("id", "in", ids)
    .returning(["id", "eventId", "endpointId", "attemptCount", (eb) => eventPayload(eb).as("payload")])
    .execute();
}

/** The deliveries a listing, an export or a replay selects: every condition given must hold. */
export interface DeliveryMatch {
  id?: string;
  eventId?: string | null;
  /** Keep the list short (a few hundred): it is bound as one parameter each. */
  eventIds?: readonly string[];
  endpointId?: string | null;
  status?: readonly DeliveryStatus[] | null;
  /** Created at or after. */
  since?: Date | null;
  /** Created before. */
  until?: Date | null;
}

type DeliveryScope = ExpressionBuilder<DB & { d: WebhookDelivery }, "d">;

function matchConditions(eb: DeliveryScope, m: DeliveryMatch): Expression<SqlBool>[] {
  const all: Expression<SqlBool>[] = [];
  if (m.id !== undefined) all.push(eb("d.id", "=", m.id));
  if (m.eventId) all.push(eb("d.eventId", "=", m.eventId));
  if (m.eventIds) all.push(eb("d.eventId", "in", m.eventIds));
  if (m.endpointId) all.push(eb("d.endpointId", "=", m.endpointId));
  if (m.status?.length) all.push(eb("d.status", "in", m.status));
  if (m.since) all.push(eb("d.createdAt", ">=", m.since));
  if (m.until) all.push(eb("d.createdAt", "<", m.until));
  return all;
}

export type ListedDelivery = Selectable<WebhookDelivery> & { eventType: string };

/** Deliveries with their event's type, newest first. */
export function listDeliveriesWithType(db: Db, m: DeliveryMatch, limit: number): Promise<ListedDelivery[]> {
  return db
    .selectFrom("WebhookDelivery as d")
    .innerJoin("WebhookEvent as ev", "ev.id", "d.eventId")
    .selectAll("d")
    .select("ev.type as eventType")
    .where((eb) => eb.and(matchConditions(eb, m)))
    .orderBy("d.id", "desc")
    .limit(limit)
    .execute();
}

export function deliveryWithType(db: Db, id: string): Promise<ListedDelivery | undefined> {
  return db
    .selectFrom("WebhookDelivery as d")
    .innerJoin("WebhookEvent as ev", "ev.id", "d.eventId")
    .selectAll("d")
    .select("ev.type as eventType")
    .where("d.id", "=", id)
    .executeTakeFirst();
}

/**
 * A keyset page of deliveries after `after` (by id), each with its event and the request of its
 * last attempt that sent one (an attempt that failed before sending records no headers), picked
 * in the order `deliveries show` picks its body: started, then number, then id.
 */
export function exportPage(db: Db, m: DeliveryMatch, after: string, limit: number) {
  return db
    .selectFrom("WebhookDelivery as d")
    .innerJoin("WebhookEvent as ev", "ev.id", "d.eventId")
    .leftJoin("WebhookDeliveryAttempt as la", (join) =>
      join.on((eb) =>
        eb(
          "la.id",
          "=",
          eb
            .selectFrom("WebhookDeliveryAttempt as a")
            .select("a.id")
            .whereRef("a.deliveryId", "=", "d.id")
            .where("a.requestHeaders", "is not", null)
            .orderBy("a.startedAt", "desc")
            .orderBy("a.attemptNumber", "desc")
            .orderBy("a.id", "desc")
            .limit(1),
        ),
      ),
    )
    .select(["d.id", "d.eventId", "d.endpointId", "d.status", "d.attemptCount", "d.createdAt", "d.lastAttemptAt"])
    .select(["d.deliveredAt", "ev.type", "ev.payload", "ev.timestamp"])
    .select(["la.requestHeaders as lastHeaders", "la.requestBody as lastBody"])
    .where((eb) => eb.and([eb("d.id", ">", after), ...matchConditions(eb, m)]))
    .orderBy("d.id")
    .limit(limit)
    .execute();
}

/** Deliveries a replay may re-send, with their event's type and whether their endpoint is enabled. */
export function replayCandidateRows(db: Db, m: DeliveryMatch) {
  return db
    .selectFrom("WebhookDelivery as d")
    .innerJoin("WebhookEvent as ev", "ev.id", "d.eventId")
    .innerJoin("WebhookEndpoint as e", "e.id", "d.endpointId")
    .select(["d.id", "d.eventId", "d.endpointId", "d.status", "d.attemptCount", "ev.type", "e.enabled"])
    .where((eb) => eb.and(matchConditions(eb, m)))
    .orderBy("d.eventId")
    .orderBy("d.endpointId")
    .execute();
}

// ─── intg doctor ───

/** Every endpoint's backlog (PENDING or SENDING) in one statement: its size and oldest creation. */
export async function backlogPerEndpoint(db: Db): Promise<{ endpointId: string; n: number; oldest: Date | null }[]> {
  const rows = await db
    .selectFrom("WebhookDelivery")
    .select((eb) => ["endpointId", eb.fn.countAll().as("n"), eb.fn.min("createdAt").as("oldest")])
    .where("status", "in", WAITING)
    .groupBy("endpointId")
    .execute();
  return rows.map((r) => ({ endpointId: r.endpointId, n: count(r.n), oldest: dateOf(r.oldest) }));
}

/** SENDING deliveries whose lease ran out by `now`, per endpoint: a worker died holding them. */
export async function stalledPerEndpoint(db: Db, now: Date): Promise<{ endpointId: string; n: number }[]> {
  const rows = await db
    .selectFrom("WebhookDelivery")
    .select((eb) => ["endpointId", eb.fn.countAll().as("n")])
    .where("leaseExpiresAt", "<=", now)
    .where("status", "=", DeliveryStatus.SENDING)
    .groupBy("endpointId")
    .execute();
  return rows.map((r) => ({ endpointId: r.endpointId, n: count(r.n) }));
}
