import { DeliveryStatus } from "../../generated/kysely/enums.js";
import { count, type Db } from "../../kysely.js";
import { WAITING } from "./queue.js";

// The counts that health, metrics and endpoint views read.

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

/** `intg doctor`: every endpoint's backlog (PENDING or SENDING) in one statement, its size and oldest creation. */
export async function backlogPerEndpoint(db: Db): Promise<{ endpointId: string; n: number; oldest: Date | null }[]> {
  const rows = await db
    .selectFrom("WebhookDelivery")
    .select((eb) => ["endpointId", eb.fn.countAll().as("n"), eb.fn.min("createdAt").as("oldest")])
    .where("status", "in", WAITING)
    .groupBy("endpointId")
    .execute();
  return rows.map((r) => ({ endpointId: r.endpointId, n: count(r.n), oldest: dateOf(r.oldest) }));
}

/**
 * The worker's metrics: the backlog of the `top` endpoints with the most waiting, one row each
 * (ties by id, so the same ones keep their rows between scrapes), and one row for all the others
 * with a null endpointId, their oldest the oldest among them. At most top + 1 rows, however many
 * endpoints have a backlog: the grouping and ranking stay in the database.
 */
export async function backlogOfLargest(db: Db, top: number) {
  const rows = await db
    .with("per", (qb) =>
      qb
        .selectFrom("WebhookDelivery")
        .select((eb) => ["endpointId", eb.fn.countAll().as("n"), eb.fn.min("createdAt").as("oldest")])
        .where("status", "in", WAITING)
        .groupBy("endpointId"),
    )
    .with("ranked", (qb) =>
      qb.selectFrom("per").select((eb) => [
        "n",
        "oldest",
        eb
          .case()
          .when(
            eb.fn.agg<number>("row_number").over((o) => o.orderBy("n", "desc").orderBy("endpointId")),
            "<=",
            top,
          )
          .then(eb.ref("endpointId"))
          .end()
          .as("endpointId"),
      ]),
    )
    .selectFrom("ranked")
    .select((eb) => ["endpointId", eb.fn.sum("n").as("n"), eb.fn.min("oldest").as("oldest")])
    .groupBy("endpointId")
    .execute();
  return rows.map((r) => ({ endpointId: r.endpointId, n: count(r.n), oldest: dateOf(r.oldest) }));
}

/** `intg doctor`: SENDING deliveries whose lease ran out by `now`, per endpoint (a worker died holding them). */
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
