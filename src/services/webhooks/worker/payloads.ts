import { typed } from "../../../db/kysely.js";
import type { ClaimedDelivery } from "../../../db/queries/webhook-delivery/claim.js";
import { eventPayloads } from "../../../db/queries/webhook-event.js";
import type { SqlClient } from "../../../db/sql.js";

// A claim leases deliveries without their payload; the payload is read here once per event and
// given to each of its deliveries as the same string. With fan-out (one event, N endpoints) the
// payload in the claim's RETURNING was read, sent by the database and copied N times.

/**
 * The rows, each with its event's payload. A row whose event is gone (deleted meanwhile, and its
 * deliveries with it) is left out: there is nothing to send. The payload is set on the caller's
 * rows themselves (each is a claim's own): a copy of each row by spread was ~1.5 µs a delivery
 * in the store thread's profile.
 */
export async function withPayloads<T extends ClaimedDelivery>(
  sql: SqlClient,
  rows: readonly T[],
): Promise<(T & { payload: string })[]> {
  if (rows.length === 0) return [];
  const byEvent = await eventPayloads(typed(sql), [...new Set(rows.map((r) => r.eventId))]);
  const out: (T & { payload: string })[] = [];
  for (const r of rows) {
    const payload = byEvent.get(r.eventId);
    if (payload === undefined) continue;
    const row = r as T & { payload: string };
    row.payload = payload;
    out.push(row);
  }
  return out;
}
