import { DeliveryStatus } from "../../generated/kysely/enums.js";
import { count, type Db } from "../../kysely.js";
import { prepared, providerOf } from "../../prepared.js";

// Every statement on "WebhookDelivery" lives in this folder, one file per purpose. Here: queueing a
// send's deliveries, and cancelling a disabled endpoint's backlog.

export const WAITING = [DeliveryStatus.PENDING, DeliveryStatus.SENDING];

// Once per delivery of a send (thousands in a batch): compiled once per provider. Due at the
// sender's time, or the server's if that is earlier: workers claim on the server's clock
// (webhooks/database-clock.ts), and a sender whose clock ran 10 minutes fast held its deliveries back as long.
// (SQLite's file is on the sender's machine: one clock.)
const insertQueued = prepared(["id", "eventId", "endpointId", "now"], (db, p, { sql }) =>
  db.insertInto("WebhookDelivery").values({
    id: p.id,
    eventId: p.eventId,
    endpointId: p.endpointId,
    status: DeliveryStatus.PENDING,
    attemptCount: 0,
    nextAttemptAt:
      providerOf(db) === "postgresql"
        ? sql<Date>`least(${p.now}, cast(statement_timestamp() at time zone 'UTC' as timestamp(3)))`
        : p.now,
    createdAt: p.now,
    updatedAt: p.now,
  }),
);

/** A delivery of the event to the endpoint, due now. */
export async function insertQueuedDelivery(
  db: Db,
  row: { id: string; eventId: string; endpointId: string; now: Date },
): Promise<void> {
  await insertQueued.run(db, row);
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
