import { typed } from "../../../db/kysely.js";
import { claimDeliveries, type ClaimedDelivery } from "../../../db/queries/webhook-delivery/claim.js";
import type { SqlClient } from "../../../db/sql.js";

// Claiming due work with a lease. One statement picks and marks the rows: on SQLite it takes the
// write lock for its duration (so workers on one file take turns, never share a row); on
// PostgreSQL the inner SELECT is FOR UPDATE SKIP LOCKED, so concurrent workers each take rows the
// others have not locked and none waits or double-claims. A worker that dies keeps its rows only
// until leaseExpiresAt; then they are due again (at-least-once).

export type Claimed = ClaimedDelivery;

export async function claimDue(
  sql: SqlClient,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<Claimed[]> {
  const db = typed(sql);
  const values = { owner, lease: new Date(now.getTime() + leaseMs), now, limit };
  // Expired leases first (a dead worker's claims, usually none), then due deliveries, oldest first.
  // Two statements rather than one with OR: each walks its own index in order and stops at the
  // limit, where an OR would sort every due row on every claim.
  const expired = await claimDeliveries(db, sql.provider, "expired", values);
  if (expired.length >= limit) return expired;
  const due = await claimDeliveries(db, sql.provider, "due", { ...values, limit: limit - expired.length });
  return [...expired, ...due];
}

// Claims cross to the store thread's caller as one flat array, CLAIM_FIELDS values a delivery:
// cheaper to copy between threads than an object each.
const CLAIM_FIELDS = 5;

export function flattenClaims(claims: readonly Claimed[]): (string | number)[] {
  const out: (string | number)[] = [];
  for (const c of claims) out.push(c.id, c.eventId, c.endpointId, c.attemptCount, c.payload);
  return out;
}

export function unflattenClaims(flat: readonly (string | number)[]): Claimed[] {
  const out: Claimed[] = [];
  for (let i = 0; i < flat.length; i += CLAIM_FIELDS) {
    out.push({
      id: flat[i] as string,
      eventId: flat[i + 1] as string,
      endpointId: flat[i + 2] as string,
      attemptCount: flat[i + 3] as number,
      payload: flat[i + 4] as string,
    });
  }
  return out;
}
