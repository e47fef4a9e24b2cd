import { type Db, typed } from "../../../db/kysely.js";
import {
  claimExpired,
  type ClaimedDelivery,
  priceOutBitmapScans,
  priceOutSorts,
} from "../../../db/queries/webhook-delivery/claim.js";
import type { SqlClient } from "../../../db/sql.js";
import { claimRotating } from "../../../db/queries/webhook-delivery/claim-rotating.js";
import { claimLimited } from "./claim-limited.js";
import { withPayloads } from "./payloads.js";

// Claiming due work with a lease. One statement picks and marks the rows: on SQLite it takes the
// write lock for its duration (so workers on one file take turns, never share a row); on
// PostgreSQL the inner SELECT is FOR UPDATE SKIP LOCKED, so concurrent workers each take rows the
// others have not locked and none waits or double-claims. A worker that dies keeps its rows only
// until leaseExpiresAt; then they are due again (at-least-once). Rate-limited endpoints are claimed
// apart, paced by a clock all workers share (claim-limited.ts).

/**
 * A leased delivery. sendAt, sendBy (epoch ms): its endpoint's rate limit gave it a slot, so it
 * goes at sendAt, not before, and not after sendBy (claim-limited.ts).
 */
export type Leased = ClaimedDelivery & { sendAt?: number; sendBy?: number };
/** A leased delivery with its event's payload (one string per event, shared by its deliveries). */
export type Claimed = Leased & { payload: string };

export interface ClaimResult {
  items: Claimed[];
  /**
   * Due deliveries were held back by their endpoints' rate limits: claim again within this many
   * ms (a run that stops when nothing is due must wait for them). Null: nothing was held back.
   */
  heldMs: number | null;
}

/**
 * Of one endpoint, a worker holds at most its in-flight cap times this many deliveries: enough that
 * a fast endpoint's lanes never wait for the next claim (the held count includes attempts sent and
 * not yet recorded; at 16 the worker ran ~10% slower on one endpoint), few enough that a slow
 * endpoint's backlog stays where other workers can take it.
 */
export const HELD_PER_IN_FLIGHT = 32;

/**
 * Claims deliveries of endpoints without a rate limit (the rate-limited ones: claimLimited), the
 * endpoints taking turns (claim-rotating.ts). `factor`: HELD_PER_IN_FLIGHT, or a test's own.
 */
export async function claimDue(
  sql: SqlClient,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
  factor = HELD_PER_IN_FLIGHT,
  expiredToo = true,
): Promise<Claimed[]> {
  const values = { owner, lease: new Date(now.getTime() + leaseMs), now, limit };
  // Expired leases first (a dead worker's claims, usually none), then due deliveries, endpoints
  // taking turns. Two statements rather than one with OR: each walks its own index in order and
  // stops at its limit, where an OR would sort every due row on every claim.
  // PostgreSQL plans the expired claim well only with sorts priced out, which holds inside a transaction.
  const expired = expiredToo
    ? await planned(sql, priceOutSorts, (db, provider) => claimExpired(db, provider, values))
    : [];
  if (expired.length >= limit) return withPayloads(sql, expired);
  // Each endpoint's candidates come from its own index range, at most the limit: the sorts this
  // statement needs are of those, never of the backlog (webhooks-claim-plan.test.ts).
  const rotating = { ...values, limit: limit - expired.length, factor };
  const due = await planned(sql, priceOutBitmapScans, (db, provider) => claimRotating(db, provider, rotating));
  return withPayloads(sql, [...expired, ...due]);
}

/** Runs `claim`; on PostgreSQL in a transaction of its own, after `plan` (a planner setting for it alone). */
function planned<T>(
  sql: SqlClient,
  plan: (db: Db) => Promise<void>,
  claim: (db: Db, provider: SqlClient["provider"]) => Promise<T>,
): Promise<T> {
  if (sql.provider !== "postgresql") return claim(typed(sql), sql.provider);
  return sql.transaction(async (tx) => {
    await plan(typed(tx));
    return claim(typed(tx), tx.provider);
  });
}

/** How often the rate-limited endpoints are claimed for: their claim reserves slots ahead (claim-limited.ts). */
const LIMITED_EVERY_MS = 100;

/**
 * How often a worker looks for a dead worker's expired leases. Usually there are none, and on
 * PostgreSQL the look is a transaction of its own (four round trips and a commit) on the claim's
 * critical path: every refill paid it. A lease that ran out is then taken up to this much later.
 */
export const EXPIRED_EVERY_MS = 1000;

/**
 * The store's claim: unlimited endpoints' deliveries on every call, rate-limited endpoints' at most
 * every LIMITED_EVERY_MS (a transaction of its own, which a busy worker need not pay per refill).
 */
export function claimer(sql: SqlClient) {
  let limitedAt = -Infinity;
  let expiredAt = -Infinity;
  let held: number | null = null;
  return async (owner: string, now: Date, leaseMs: number, limit: number, clockOffsetMs = 0): Promise<ClaimResult> => {
    const t = Date.now(); // when to look again: this process's own time
    const items: Claimed[] = [];
    if (t - limitedAt >= LIMITED_EVERY_MS) {
      limitedAt = t;
      const limited = await claimLimited(sql, owner, now, leaseMs, limit, clockOffsetMs);
      items.push(...limited.items);
      held = limited.heldMs === null ? null : t + limited.heldMs;
    }
    if (items.length < limit) {
      const expiredToo = t - expiredAt >= EXPIRED_EVERY_MS;
      if (expiredToo) expiredAt = t;
      items.push(...(await claimDue(sql, owner, now, leaseMs, limit - items.length, HELD_PER_IN_FLIGHT, expiredToo)));
    }
    const next = held === null ? null : Math.max(held, limitedAt + LIMITED_EVERY_MS);
    return { items, heldMs: next === null ? null : Math.max(1, next - t) };
  };
}

// Claims cross to the store thread's caller as one flat array, CLAIM_FIELDS values a delivery
// after heldMs (-1 for null): cheaper to copy between threads than an object each. An event's
// payload is copied once: its later deliveries carry 0 in its place.
const CLAIM_FIELDS = 7;

export function flattenClaims(claim: ClaimResult): (string | number)[] {
  const out: (string | number)[] = [claim.heldMs ?? -1];
  const shipped = new Set<string>();
  for (const c of claim.items) {
    const payload = shipped.has(c.eventId) ? 0 : (shipped.add(c.eventId), c.payload);
    out.push(c.id, c.eventId, c.endpointId, c.attemptCount, payload, c.sendAt ?? 0, c.sendBy ?? 0);
  }
  return out;
}

export function unflattenClaims(flat: readonly (string | number)[]): ClaimResult {
  const items: Claimed[] = [];
  const payloads = new Map<string, string>();
  for (let i = 1; i < flat.length; i += CLAIM_FIELDS) {
    const sendAt = flat[i + 5] as number;
    const sendBy = flat[i + 6] as number;
    const eventId = flat[i + 1] as string;
    let payload = flat[i + 4];
    if (typeof payload === "string") payloads.set(eventId, payload);
    else payload = payloads.get(eventId)!;
    const item: Claimed = {
      id: flat[i] as string,
      eventId,
      endpointId: flat[i + 2] as string,
      attemptCount: flat[i + 3] as number,
      payload,
    };
    // Only a paced delivery has its slot (no object spread per delivery for the others).
    if (sendAt) {
      item.sendAt = sendAt;
      item.sendBy = sendBy;
    }
    items.push(item);
  }
  const heldMs = flat[0] as number;
  return { items, heldMs: heldMs < 0 ? null : heldMs };
}
