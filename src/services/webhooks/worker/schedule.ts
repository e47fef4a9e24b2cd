// When the next attempt goes out, from the outcome of the last one (issue 4, after Svix): the
// endpoint's schedule with ±20% jitter so retries of a burst do not arrive as a burst again; 429,
// 502, 503, 504 and timeouts say the receiver is overloaded, so they wait at least a minute; a
// Retry-After is honoured, but only within [scheduled, 2x scheduled] so a receiver can neither
// hurry us nor park a delivery forever.
import { JITTER_RATIO } from "../endpoint-rows.js";

export const OVERLOAD_MIN_DELAY_MS = 60_000;
const OVERLOADED = new Set([429, 502, 503, 504]);

export type Outcome =
  | { kind: "delivered" }
  /** Try again at `at`. */
  | { kind: "retry"; at: Date }
  /** Every attempt used: a dead letter. */
  | { kind: "failed" }
  /** 410 Gone: the receiver asked us to stop; the endpoint is disabled. */
  | { kind: "gone" };

export interface AttemptResult {
  statusCode: number | null;
  timedOut: boolean;
  retryAfter: string | null;
}

// The common outcome, shared rather than allocated per attempt; nothing mutates an outcome.
const DELIVERED: Outcome = Object.freeze({ kind: "delivered" });

export const isSuccess = (status: number | null): boolean => status !== null && status >= 200 && status < 300;

/** Seconds or an HTTP date, as milliseconds from now; undefined when it does not parse. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null) return undefined;
  const t = value.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const date = Date.parse(t);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/**
 * The outcome of attempt number `attempt` (1-based) under `schedule` (schedule[0] is the first
 * attempt's delay, always 0; schedule[n] is the wait after attempt n). `random` is in [0, 1).
 */
export function outcomeOf(
  result: AttemptResult,
  attempt: number,
  schedule: readonly number[],
  now: Date,
  random: () => number = Math.random,
): Outcome {
  if (isSuccess(result.statusCode)) return DELIVERED;
  if (result.statusCode === 410) return { kind: "gone" };
  if (attempt >= schedule.length) return { kind: "failed" };
  let delay = schedule[attempt]! * (1 + (random() * 2 - 1) * JITTER_RATIO);
  if (result.timedOut || (result.statusCode !== null && OVERLOADED.has(result.statusCode)))
    delay = Math.max(delay, OVERLOAD_MIN_DELAY_MS);
  const asked = parseRetryAfter(result.retryAfter, now);
  if (asked !== undefined) delay = Math.min(Math.max(asked, delay), 2 * delay);
  return { kind: "retry", at: new Date(now.getTime() + Math.round(delay)) };
}
