import { typed } from "../../db/kysely.js";
import { databaseClockOffsetMs } from "../../db/queries/database-clock.js";
import type { ServiceContext } from "../context.js";

// Leases, retry times and the rate limits' clocks are compared in the database with other
// workers' (on other machines): a worker, and a replay, take their times on the database's clock,
// their own plus the offset last measured. A worker 10 minutes fast took every other worker's
// leases as expired, and sent their deliveries a second time.

/**
 * A clock offset below this is taken as none: it is within what measuring it over a busy network
 * can tell, and far below what a lease (1 s at least) or a rate limit's second can feel.
 */
const CLOCK_TOLERANCE_MS = 25;

export interface DatabaseClock {
  /** The context's time (a test may pin it) moved onto the database's clock. */
  now(): Date;
  /** Real time on the database's clock: the rate limits' (claim-limited.ts). */
  realNow(): number;
  /** The offset last measured, 0 until then. */
  offsetMs(): number;
  /** Measures the offset again; one refused for now leaves the last one. */
  measure(): Promise<void>;
}

export function databaseClock(ctx: ServiceContext): DatabaseClock {
  let offset = 0;
  return {
    now: () => (offset === 0 ? ctx.now() : new Date(ctx.now().getTime() + offset)),
    realNow: () => Date.now() + offset,
    offsetMs: () => offset,
    measure: () =>
      databaseClockOffsetMs(typed(ctx.sql)).then(
        (ms) => void (offset = Math.abs(ms) < CLOCK_TOLERANCE_MS ? 0 : Math.round(ms)),
        () => undefined,
      ),
  };
}
