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

export async function claimDue(
  sql: SqlClient,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<Claimed[]> {
  // Expired leases first (a dead worker's claims, usually none), then due deliveries, oldest first.
  // Two statements rather than one with OR: each walks its own index in order and stops at the
  // limit, where an OR would sort every due row on every claim.
  const expired = await claimWhere(
    sql,
    owner,
    now,
    leaseMs,
    limit,
    `d."status" = 'SENDING' AND d."leaseExpiresAt" <= ?`,
    `d."leaseExpiresAt"`,
  );
  if (expired.length >= limit) return expired;
  return [
    ...expired,
    ...(await claimWhere(
      sql,
      owner,
      now,
      leaseMs,
      limit - expired.length,
      `d."status" = 'PENDING' AND d."nextAttemptAt" <= ?`,
      `d."nextAttemptAt"`,
    )),
  ];
}

async function claimWhere(
  sql: SqlClient,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
  due: string,
  order: string,
): Promise<Claimed[]> {
  const pg = sql.provider === "postgresql";
  const skipLocked = pg ? " FOR UPDATE SKIP LOCKED" : "";
  // SQLite picks the rows by rowid: by "id" each would be found through its text index first.
  const key = pg ? `"id"` : "rowid";
  const lease = new Date(now.getTime() + leaseMs);
  // One statement, so one atomic step on either provider; the payload rides along in RETURNING.
  const rows = await sql.rows(
    `UPDATE "WebhookDelivery" SET "status" = 'SENDING', "leaseOwner" = ?, "leaseExpiresAt" = ?, "updatedAt" = ?
     WHERE ${key} IN (
       SELECT d.${key} FROM "WebhookDelivery" d
       WHERE ${due} AND d."endpointId" IN (SELECT e."id" FROM "WebhookEndpoint" e WHERE e."enabled" = ?)
       ORDER BY ${order} LIMIT ?${skipLocked}
     ) RETURNING "id", "eventId", "endpointId", "attemptCount", (SELECT ev."payload" FROM "WebhookEvent" ev WHERE ev."id" = "WebhookDelivery"."eventId")`,
    [owner, lease, now, now, true, limit],
  );
  return rows.map((r) => ({
    id: r[0] as string,
    eventId: r[1] as string,
    endpointId: r[2] as string,
    attemptCount: Number(r[3]),
    payload: r[4] as string,
  }));
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
