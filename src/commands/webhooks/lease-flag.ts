import { parseDurationFlag } from "../../cli/parse.js";
import { UsageError } from "../../errors.js";

/**
 * --lease of the worker and of replays: shorter than a second would expire between renewals; longer
 * than a day would leave a dead worker's deliveries waiting that long (and a heartbeat of a third of
 * it past 24.8 days overflowed Node's timers, which then fired every millisecond).
 */
export function parseLease(text: string): number {
  const leaseMs = parseDurationFlag("--lease", text);
  if (leaseMs < 1000) throw new UsageError("--lease must be at least 1s.");
  if (leaseMs > MAX_LEASE_MS) throw new UsageError(`--lease must be at most 1d; "${text}" is longer.`);
  return leaseMs;
}

const MAX_LEASE_MS = 86_400_000;
const MAX_POLL_MS = 3_600_000;

/**
 * --poll of the worker: at least 10 ms, at most an hour (events would wait that long; past 24.8
 * days Node's timer overflowed and the worker polled every millisecond).
 */
export function parsePoll(text: string): number {
  const pollMs = parseDurationFlag("--poll", text);
  if (pollMs > MAX_POLL_MS) throw new UsageError(`--poll must be at most 1h; "${text}" is longer.`);
  return Math.max(10, pollMs);
}
