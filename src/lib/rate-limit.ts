// A per-connection rate limit (requests per minute) enforced in this process, across concurrent
// requests: the generic cell rate algorithm. Each acquire reserves the next slot at once, so
// concurrent callers queue in order instead of waking together; a burst of one second's worth
// (at least one) goes out without waiting, as providers' own limits allow.

export type Clock = () => number;

export class RateLimiter {
  readonly intervalMs: number;
  readonly burst: number;
  #tat = 0; // theoretical arrival time of the next request

  constructor(
    readonly perMinute: number,
    private readonly clock: Clock = () => performance.now(),
  ) {
    this.intervalMs = 60_000 / perMinute;
    this.burst = Math.max(1, Math.floor(perMinute / 60));
  }

  /** Milliseconds the caller must wait for its slot (the slot is reserved now). */
  reserve(): number {
    const now = this.clock();
    const tat = Math.max(this.#tat, now);
    const allowedAt = tat - (this.burst - 1) * this.intervalMs;
    this.#tat = tat + this.intervalMs;
    return Math.max(0, allowedAt - now);
  }

  /** Waits for the next slot; `onWait` hears of a wait before it starts and may return its end. */
  async acquire(onWait?: (ms: number) => (() => void) | undefined): Promise<void> {
    const wait = this.reserve();
    if (wait <= 0) return;
    const done = onWait?.(wait);
    try {
      await new Promise((resolve) => setTimeout(resolve, wait));
    } finally {
      done?.();
    }
  }

  /** The provider said stop (429 Retry-After): nothing new goes out before `ms` from now. */
  pause(ms: number): void {
    this.#tat = Math.max(this.#tat, this.clock() + ms + (this.burst - 1) * this.intervalMs);
  }
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
