import { type Expression, expressionBuilder, type SqlBool } from "kysely";
import { DeliveryStatus, type RetentionPolicy } from "../generated/kysely/enums.js";
import type { DB, WebhookDelivery } from "../generated/kysely/types.js";
import { count, type Db } from "../kysely.js";
import { preparedOnce, providerOf } from "../prepared-once.js";
import { endpointIdsUnderPolicy } from "./webhook-endpoint.js";

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
