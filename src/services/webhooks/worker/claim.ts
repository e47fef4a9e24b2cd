import type { SqlClient } from "../../../db/sql.js";

// Claiming due work with a lease. One statement picks and marks the rows: on SQLite it takes the
// write lock for its duration (so workers on one file take turns, never share a row); on
// PostgreSQL the inner SELECT is FOR UPDATE SKIP LOCKED, so concurrent workers each take rows the
// others have not locked and none waits or double-claims. A worker that dies keeps its rows only
// until leaseExpiresAt; then they are due again (at-least-once).

export interface Claimed {
  id: string;
  eventId: string;
  endpointId: string;
  /** Attempts made before this one. */
  attemptCount: number;
  payload: string;
}

export async function claimDue(sql: SqlClient, owner: string, now: Date, leaseMs: number, limit: number): Promise<Claimed[]> {
  // Expired leases first (a dead worker's claims, usually none), then due deliveries, oldest first.
  // Two statements rather than one with OR: each walks its own index in order and stops at the
  // limit, where an OR would sort every due row on every claim.
  const expired = await claimWhere(sql, owner, now, leaseMs, limit, `d."status" = 'SENDING' AND d."leaseExpiresAt" <= ?`, `d."leaseExpiresAt"`);
  if (expired.length >= limit) return expired;
  return [...expired, ...(await claimWhere(sql, owner, now, leaseMs, limit - expired.length, `d."status" = 'PENDING' AND d."nextAttemptAt" <= ?`, `d."nextAttemptAt"`))];
}

async function claimWhere(sql: SqlClient, owner: string, now: Date, leaseMs: number, limit: number, due: string, order: string): Promise<Claimed[]> {
  const skipLocked = sql.provider === "postgresql" ? " FOR UPDATE SKIP LOCKED" : "";
  const lease = new Date(now.getTime() + leaseMs);
  // One statement, so one atomic step on either provider; the payload rides along in RETURNING.
  const rows = await sql.rows(
    `UPDATE "WebhookDelivery" SET "status" = 'SENDING', "leaseOwner" = ?, "leaseExpiresAt" = ?, "updatedAt" = ?
     WHERE "id" IN (
       SELECT d."id" FROM "WebhookDelivery" d
       WHERE ${due} AND d."endpointId" IN (SELECT e."id" FROM "WebhookEndpoint" e WHERE e."enabled" = ?)
       ORDER BY ${order} LIMIT ?${skipLocked}
     ) RETURNING "id", "eventId", "endpointId", "attemptCount", (SELECT ev."payload" FROM "WebhookEvent" ev WHERE ev."id" = "WebhookDelivery"."eventId")`,
    [owner, lease, now, now, true, limit],
  );
  return rows.map((r) => ({ id: r[0] as string, eventId: r[1] as string, endpointId: r[2] as string, attemptCount: Number(r[3]), payload: r[4] as string }));
}
