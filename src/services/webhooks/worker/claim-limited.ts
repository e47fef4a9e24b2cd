import { typed } from "../../../db/kysely.js";
import { type ClaimKind, claimEndpointDeliveries } from "../../../db/queries/webhook-delivery/claim.js";
import { heldOfEndpoint } from "../../../db/queries/webhook-delivery/held.js";
import { recentAttemptMs } from "../../../db/queries/webhook-delivery-attempt.js";
import { anyRateLimitedEndpoint, rateLimitedEndpoints, setRateLimitTat } from "../../../db/queries/webhook-endpoint.js";
import type { SqlClient } from "../../../db/sql.js";
import type { Claimed, Leased } from "./claim.js";
import { withPayloads } from "./payloads.js";

// Rate limits that hold across workers: each rate-limited endpoint keeps one GCRA clock in its row
// (rateLimitTat, the theoretical arrival time of its next send), and the claim advances it, in the
// claiming transaction, for every delivery it takes. Every worker on the database claims through
// the same clock, so together they send at the limit, not at the limit times the workers. Each
// delivery is handed out with the time it may be sent (sendAt); a worker sends it then, not before,
// and not after sendBy (a worker that falls behind hands it back rather than bunch it with the next).
//
// The algorithm: emission interval T = 1 s / rate, tolerance tau = (rate - 1) * T, i.e. a burst
// of one second's worth, which an endpoint earns back only by idling (its clock falling behind
// now). A fresh endpoint's clock is null, read as now: the burst is one second's worth, never more.
// In any window of W ms the sends number at most floor((W + tau) / T) + 1.

/**
 * Every slot is handed out this much later than the clock says: time for the claim's answer to
 * reach a lane. A slot sent late would bunch with the next one (two in less than T at the receiver);
 * sent at its time plus a constant shared by every worker, the spacing holds.
 */
const SLACK_MS = 50;

/**
 * How late after its slot a delivery may still go: later, it is handed back unsent (its slot
 * wasted) rather than sent where it could bunch with the next slots. Half an interval, at least
 * LATE_MIN_MS: the receiver then sees at most one more than the GCRA's bound in any window.
 */
const LATE_MIN_MS = 20;
export const lateToleranceMs = (rate: number) => Math.max(500 / rate, LATE_MIN_MS);

/** How far ahead a claim reserves slots: far enough that sends are paced by timers, not by polls. */
export function slotHorizonMs(leaseMs: number): number {
  return Math.min(1000, leaseMs / 4);
}

/**
 * How long a delivery is held besides its request: the slot's slack, the wait for the next limited
 * claim (every 100 ms) and for its attempt to be recorded. Measured at ~200 ms with a fast receiver.
 */
const PIPELINE_MS = 300;

/**
 * How many of a rate-limited endpoint's deliveries a worker may hold. A slot whose delivery finds the
 * endpoint's lanes full (cap in flight) passes and is handed back, to be claimed again: so a receiver
 * slower than the rate allows (rate x response time > cap), or one not yet timed, gets no more than
 * the cap. One whose lanes carry the rate gets the rate's pipeline besides, or its rate would drop
 * to about cap / (response time + PIPELINE_MS): 80/s for 100/s with the default cap of 16.
 */
export function heldBound(cap: number, rate: number, recentMs: number | null): number {
  if (recentMs === null || (rate * recentMs) / 1000 > cap) return cap;
  return cap + Math.ceil((rate * PIPELINE_MS) / 1000);
}

export interface Slots {
  /** When each slot may be sent (epoch ms), in order. */
  sendAt: number[];
  /** The clock after all of them are taken. */
  tat: number;
  /** Time per slot (the emission interval). */
  intervalMs: number;
}

/** The slots an endpoint limited to `rate`/s has from `now` to `now + horizonMs`, at most `max`. */
export function gcraSlots(tat: number | null, now: number, rate: number, horizonMs: number, max: number): Slots {
  const intervalMs = 1000 / rate;
  const tau = (rate - 1) * intervalMs;
  const start = Math.max(tat ?? now, now);
  const sendAt: number[] = [];
  for (let k = 0; k < max; k++) {
    const at = Math.max(now, Math.ceil(start + k * intervalMs - tau));
    if (at > now + horizonMs) break;
    sendAt.push(at);
  }
  return { sendAt, tat: start + sendAt.length * intervalMs, intervalMs };
}

export interface LimitedClaim {
  items: Claimed[];
  /** An endpoint had more due than its slots: the soonest (ms from now) a claim finds a slot. */
  heldMs: number | null;
}

/**
 * Claims deliveries of rate-limited endpoints, each with the time it may go, in one transaction
 * (on SQLite the write lock; on PostgreSQL each endpoint's row, so two workers never read one clock
 * at once). An expired lease is claimed first, as in the unlimited claim; either kind takes a slot.
 */
export async function claimLimited(
  sql: SqlClient,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
  clockOffsetMs = 0,
): Promise<LimitedClaim> {
  // Without a rate-limited endpoint there is nothing to pace: no transaction (on SQLite the write
  // lock, which an idle worker would otherwise take ten times a second).
  if (!(await anyRateLimitedEndpoint(typed(sql)))) return { items: [], heldMs: null };
  const claim = await sql.transaction(async (tx) => {
    const db = typed(tx);
    const items: Leased[] = [];
    let heldMs: number | null = null;
    const horizon = slotHorizonMs(leaseMs);
    const lease = new Date(now.getTime() + leaseMs);
    for (const ep of await rateLimitedEndpoints(db)) {
      const room = limit - items.length;
      if (room <= 0) break;
      // The clock is real time, whatever `now` says (a test's pinned clock): it paces real
      // requests. Read once the endpoint is held, so time spent waiting for it is not lost. On the
      // database's clock: every worker advances the same one.
      const t = Date.now() + clockOffsetMs;
      const bound = heldBound(ep.maxInFlight, ep.rate, await recentAttemptMs(db, ep.id));
      const free = bound - (await heldOfEndpoint(db, owner, ep.id, now));
      const slots = gcraSlots(ep.tat?.getTime() ?? null, t, ep.rate, horizon, Math.max(0, Math.min(room, free)));
      const taken: Leased[] = [];
      for (const kind of ["expired", "due"] as ClaimKind[]) {
        const want = slots.sendAt.length - taken.length;
        if (want <= 0) break;
        const values = { owner, lease, now, limit: want, endpoint: ep.id };
        taken.push(...(await claimEndpointDeliveries(db, tx.provider, kind, values)));
      }
      for (const [i, c] of taken.entries()) {
        const sendAt = (slots.sendAt[i] ?? t) + SLACK_MS;
        items.push({ ...c, sendAt, sendBy: sendAt + lateToleranceMs(ep.rate) });
      }
      if (taken.length > 0) {
        const tat = Math.max(ep.tat?.getTime() ?? t, t) + taken.length * slots.intervalMs;
        // Rounded up, so a clock that went through a millisecond column never runs fast.
        await setRateLimitTat(db, ep.id, new Date(Math.ceil(tat)));
      }
      // Every slot used (or none in reach): more may be due once the next slot comes within reach.
      if (taken.length === slots.sendAt.length) {
        const next = Math.ceil(slots.tat - (ep.rate - 1) * slots.intervalMs - horizon - t);
        heldMs = Math.min(heldMs ?? Infinity, Math.max(1, next));
      }
    }
    return { items, heldMs };
  });
  // The payloads are read after the transaction: the endpoints' rows are not held meanwhile.
  return { items: await withPayloads(sql, claim.items), heldMs: claim.heldMs };
}
