import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { DB, WebhookEvent } from "../generated/kysely/types.js";
import { count, type Db } from "../kysely.js";
import { prepared, providerOf } from "../prepared.js";
import { jsonStrings } from "../json-rows.js";
import { LOCK } from "./advisory-lock.js";

// Every statement on "WebhookEvent": the events sent, each with its exact payload.

export interface EventRow {
  id: string;
  type: string;
  idempotencyKey: string | null;
  /** The envelope's bytes as stored, signed and sent. */
  payload: string;
  timestamp: Date;
  createdAt: Date;
  deliveryCount: number;
}

type OfEvent = ExpressionBuilder<DB & { ev: WebhookEvent }, "ev">;
const deliveriesOf = (eb: OfEvent) => eb.selectFrom("WebhookDelivery as d").whereRef("d.eventId", "=", "ev.id");
const deliveryCount = (eb: OfEvent) =>
  deliveriesOf(eb)
    .select((d) => d.fn.countAll().as("n"))
    .as("deliveryCount");

// A send reads each event back (thousands in a batch): these are compiled once per provider.
const viewBy = (column: "id" | "idempotencyKey") =>
  prepared(["value"], (db, p) =>
    db
      .selectFrom("WebhookEvent as ev")
      .select(["ev.id", "ev.type", "ev.idempotencyKey", "ev.payload", "ev.timestamp", "ev.createdAt", deliveryCount])
      .where(`ev.${column}`, "=", p.value),
  );
const byId = viewBy("id");
const byIdempotencyKey = viewBy("idempotencyKey");

async function view(db: Db, prepared: typeof byId, value: string): Promise<EventRow | undefined> {
  const row = (await prepared.run(db, { value })).rows[0];
  return row && { ...row, deliveryCount: count(row.deliveryCount ?? 0) };
}

export const eventRowById = (db: Db, id: string) => view(db, byId, id);
export const eventRowByIdempotencyKey = (db: Db, key: string) => view(db, byIdempotencyKey, key);

const insert = prepared(["id", "type", "idempotencyKey", "payload", "now"], (db, p) =>
  db.insertInto("WebhookEvent").values({
    id: p.id,
    type: p.type,
    idempotencyKey: p.idempotencyKey,
    payload: p.payload,
    timestamp: p.now,
    createdAt: p.now,
  }),
);

export interface NewEvent {
  id: string;
  type: string;
  idempotencyKey: string | null;
  payload: string;
  now: Date;
}

export async function insertEventRow(db: Db, row: NewEvent): Promise<void> {
  await insert.run(db, row);
}

// The worker's claims: the payloads of the events of the deliveries a claim leased, each event's
// once. The ids go as one JSON array parameter: one statement shape for any count.
const payloads = prepared(["ids"], (db, p) =>
  db
    .selectFrom("WebhookEvent as ev")
    .select(["ev.id", "ev.payload"])
    .where("ev.id", "in", jsonStrings(providerOf(db), p.ids)),
);

/** Each event's payload by its id: each of `ids` once, whatever the number of its deliveries. */
export async function eventPayloads(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await payloads.run(db, { ids: JSON.stringify(ids) });
  return new Map(rows.map((r) => [r.id, r.payload]));
}

// With the key's hash it serialises two sends of one idempotency key on PostgreSQL, so the second
// sees the first's event instead of failing on the unique index. Compiled once, unlike
// transactionLock: it is taken on every send with a key. Called in FROM, as transactionLock says.
const lock = prepared(["key"], (db, p) =>
  db
    .selectFrom(sql<{ l: unknown }>`pg_advisory_xact_lock(${LOCK.idempotencyKey}, hashtext(${p.key}))`.as("l"))
    .select((eb) => eb.lit(1).as("locked")),
);

/** Holds an idempotency key until the transaction ends (PostgreSQL; SQLite's write transaction already does). */
export async function lockIdempotencyKey(db: Db, key: string): Promise<void> {
  if (providerOf(db) === "postgresql") await lock.run(db, { key });
}

export async function countEventsOfType(db: Db, type: string): Promise<number> {
  const row = await db
    .selectFrom("WebhookEvent")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("type", "=", type)
    .executeTakeFirst();
  return count(row?.n);
}

/**
 * Events created before `cutoff` that no delivery refers to once the deliveries `gone` (a
 * predicate over alias d) are deleted: what a prune's dry run would remove.
 */
export async function countOrphanEvents(db: Db, cutoff: Date, gone: Expression<SqlBool>): Promise<number> {
  const row = await db
    .selectFrom("WebhookEvent as ev")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("ev.createdAt", "<", cutoff)
    .where((eb) => eb.not(eb.exists(deliveriesOf(eb).select("d.id").where(eb.not(gone)))))
    .executeTakeFirst();
  return count(row?.n);
}

/** Up to `limit` events created before `cutoff` with no delivery; PostgreSQL locks them. */
export async function orphanEventIds(db: Db, cutoff: Date, limit: number): Promise<string[]> {
  const q = db
    .selectFrom("WebhookEvent as ev")
    .select("ev.id")
    .where("ev.createdAt", "<", cutoff)
    .where((eb) => eb.not(eb.exists(deliveriesOf(eb).select("d.id"))))
    .limit(limit);
  return (await (providerOf(db) === "postgresql" ? q.forUpdate() : q).execute()).map((r) => r.id);
}

/** Deletes those of `ids` that still have no delivery (one may have been added since they were chosen). */
export async function deleteOrphanEvents(db: Db, ids: readonly string[]): Promise<number> {
  const r = await db
    .deleteFrom("WebhookEvent")
    .where("id", "in", ids)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("WebhookDelivery as d").select("d.id").whereRef("d.eventId", "=", "WebhookEvent.id"))),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function eventExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom("WebhookEvent").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
}
