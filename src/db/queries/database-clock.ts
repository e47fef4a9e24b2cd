import { sql } from "kysely";
import type { Db } from "../kysely.js";
import { providerOf } from "../prepared.js";

// The database server's clock, for a process whose times are compared with other machines' in
// the database (a delivery worker's leases, retry times and rate-limit clocks). Touches no table.

/** Round trips per reading: the one that came back soonest brackets the server's time closest. */
const SAMPLES = 3;

/**
 * How far the database server's clock is ahead of this process's (negative: behind), in ms, to
 * within half the quickest round trip. SQLite's file is on this machine: its clock is this one, 0.
 */
export async function databaseClockOffsetMs(db: Db): Promise<number> {
  if (providerOf(db) !== "postgresql") return 0;
  // clock_timestamp(): the time the function runs, not the transaction's start.
  const epochMs = sql`cast(extract(epoch from clock_timestamp()) * 1000 as double precision)`;
  const query = sql<{ ms: number }>`select ${epochMs} as "ms"`;
  let best: { rtt: number; offset: number } | undefined;
  for (let i = 0; i < SAMPLES; i++) {
    const sent = Date.now();
    const { rows } = await query.execute(db);
    const back = Date.now();
    const server = Number(rows[0]!.ms);
    const rtt = back - sent;
    if (!best || rtt < best.rtt) best = { rtt, offset: server - (sent + back) / 2 };
  }
  return best!.offset;
}
