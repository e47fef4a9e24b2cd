import { CompiledQuery, type Selectable, sql } from "kysely";
import { DeliveryStatus } from "../../generated/kysely/enums.js";
import type { WebhookDelivery } from "../../generated/kysely/types.js";
import type { Db } from "../../kysely.js";
import { prepared } from "../../prepared.js";
import { jsonRows } from "../../json-rows.js";
import type { Provider } from "../../url.js";

// The worker's record of each batch's outcomes.

/** What an attempt made of its delivery, as recordOutcomes writes it. */
export type DeliveryOutcome = Pick<
  Selectable<WebhookDelivery>,
  "id" | "status" | "attemptCount" | "nextAttemptAt" | "lastStatusCode" | "lastError" | "deliveredAt"
> & { lastAttemptAt: Date };

// Each outcome's columns, with the type PostgreSQL reads it as from the JSON rows.
const OUTCOME_TYPES = {
  id: "text",
  status: `"DeliveryStatus"`,
  attemptCount: "int",
  nextAttemptAt: "timestamp(3)",
  lastAttemptAt: "timestamp(3)",
  lastStatusCode: "int",
  lastError: "text",
  deliveredAt: "timestamp(3)",
} as const satisfies Record<keyof DeliveryOutcome, string>;
type OutcomeColumn = keyof typeof OUTCOME_TYPES;
const OUTCOME_COLUMNS = Object.keys(OUTCOME_TYPES) as OutcomeColumn[];

// SQLite: one UPDATE per delivery by its primary key, the same statement for every one (measured
// there it costs less than an UPDATE … FROM VALUES over a hundred, which was compiled again for
// nearly every batch's last chunk). Only a delivery `owner` still holds changes.
const updateOne = prepared([...OUTCOME_COLUMNS, "owner", "now"], (k, p) =>
  k
    .updateTable("WebhookDelivery")
    .set({
      status: p.status,
      attemptCount: p.attemptCount,
      nextAttemptAt: p.nextAttemptAt,
      leaseOwner: null,
      leaseExpiresAt: null,
      lastAttemptAt: p.lastAttemptAt,
      lastStatusCode: p.lastStatusCode,
      lastError: p.lastError,
      deliveredAt: p.deliveredAt,
      updatedAt: p.now,
    })
    .where("id", "=", p.id)
    .where("leaseOwner", "=", p.owner)
    .where("status", "=", DeliveryStatus.SENDING),
);

// PostgreSQL: one UPDATE for the whole batch, joined to its rows sent as one JSON array (one round
// trip and one statement shape for any count). The status test is written so no index can serve
// it: a planner without statistics (a young table) otherwise walks every SENDING row through the
// status index and joins each to every row, where it should find each delivery by its id
// (priceOutSeqScans prices out the other wrong plan, a sequential scan).
const updateAll = prepared(["rows", "owner", "now"], (k, p) => {
  const record = sql.join(OUTCOME_COLUMNS.map((c) => sql`${sql.ref(c)} ${sql.raw(OUTCOME_TYPES[c])}`));
  const rows = sql<DeliveryOutcome>`json_to_recordset(${p.rows}::json)`;
  return k
    .updateTable("WebhookDelivery as d")
    .from(rows.as<"v">(sql`v(${record})`))
    .set((eb) => ({
      status: eb.ref("v.status"),
      attemptCount: eb.ref("v.attemptCount"),
      nextAttemptAt: eb.ref("v.nextAttemptAt"),
      leaseOwner: null,
      leaseExpiresAt: null,
      lastAttemptAt: eb.ref("v.lastAttemptAt"),
      lastStatusCode: eb.ref("v.lastStatusCode"),
      lastError: eb.ref("v.lastError"),
      deliveredAt: eb.ref("v.deliveredAt"),
      updatedAt: p.now,
    }))
    .whereRef("d.id", "=", "v.id")
    .where("d.leaseOwner", "=", p.owner)
    .where((eb) => eb(eb.parens("d.status", "=", DeliveryStatus.SENDING), "is", true));
});

/**
 * Writes what a batch's attempts made of their deliveries. Only deliveries `owner` still holds
 * change; each id at most once (with an id twice, which outcome wins is undefined).
 */
export async function recordOutcomes(
  db: Db,
  provider: Provider,
  owner: string,
  now: Date,
  outcomes: readonly DeliveryOutcome[],
): Promise<void> {
  if (provider === "postgresql") {
    if (outcomes.length > 0) await updateAll.run(db, { rows: jsonRows(outcomes), owner, now });
    return;
  }
  // Each row's values as one literal, not `{ ...o, owner, now }`: in the store thread's profile that
  // spread made this loop ~3 µs a delivery of its own.
  for (const o of outcomes) {
    const { id, status, attemptCount, nextAttemptAt, lastAttemptAt, lastStatusCode, lastError, deliveredAt } = o;
    await updateOne.run(db, {
      id,
      status,
      attemptCount,
      nextAttemptAt,
      lastAttemptAt,
      lastStatusCode,
      lastError,
      deliveredAt,
      owner,
      now,
    });
  }
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
