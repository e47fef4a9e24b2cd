import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../src/services/context.js";
import type { EndpointInput } from "../../src/services/webhooks/endpoint-input.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { runWorker, type WorkerOptions } from "../../src/services/webhooks/worker/run.js";
import { type DeliveryStore, sqlStore } from "../../src/services/webhooks/worker/store.js";
import { PROVIDERS } from "../helpers/databases.js";
import { webhookBed, type WebhookBed } from "../helpers/webhook-bed.js";

// A rate-limited endpoint's claim takes no more than its lanes can send (claim-limited.ts): a slot
// whose delivery finds them full passes, and the delivery is handed back and claimed again. A
// receiver slower than the rate is held to its cap; one that keeps up still gets the full rate.

const RATE = 20;
const CAP = 2;

describe.each(PROVIDERS)("the worker's rate-limited claim on %s", (provider) => {
  let bed: WebhookBed;
  let live: ServiceContext;
  beforeEach(async () => {
    bed = await webhookBed(provider);
    live = { ...bed.ctx, now: () => new Date() }; // the slots are real time
  });
  afterEach(() => bed.dispose());

  /** Runs a worker for `ms` on an endpoint answering after `delayMs`, with `n` events queued. */
  async function run(delayMs: number, n: number, ms: number) {
    const input: Partial<EndpointInput> = { rateLimitPerSecond: RATE, maxInFlight: CAP };
    const { receiver } = await bed.endpoint(() => ({ status: 200, delayMs }), input);
    const events = Array.from({ length: n }, (_, i) => ({ line: i + 1, type: "x", data: { i }, idempotencyKey: null }));
    await sendBatch(live, { events, allowUnknownType: true });
    let claimed = 0;
    const attempts: number[] = [];
    const started = performance.now();
    const options: WorkerOptions = {
      concurrency: 8,
      once: false,
      maxTimeMs: ms,
      leaseMs: 60_000,
      disableAfterMs: 86_400_000,
      pollMs: 50,
      onClaim: (taken) => void (claimed += taken),
      onAttempt: () => void attempts.push(performance.now() - started),
    };
    await runWorker(live, options);
    return { claimed, attempts, receiver };
  }

  it("claims no more of a receiver slower than the rate than its cap, instead of claiming and handing back", async () => {
    // 20/s, two in flight, a second an answer: two a second go. Every slot beyond the two was
    // claimed, passed while both lanes were busy, and was handed back: 100 claims for 8 attempts.
    const { claimed, attempts, receiver } = await run(1_000, 40, 3_500);
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(receiver.received).toHaveLength(attempts.length);
    // Each claimed about once, and at most the cap's worth held when the run stopped (handed back).
    // On a loaded machine a lane may come to a slot past its tolerance, and that delivery is handed
    // back and claimed again: a few such, never the loop (~12 claims an attempt).
    expect(claimed).toBeLessThanOrEqual(2 * attempts.length + CAP);
  }, 15_000);

  it("still sends at the full rate to a receiver that keeps up, whatever the cap", async () => {
    // Two in flight carry 20/s at a few ms an answer; holding only two at a time (the cap), the
    // claim every 100 ms and the recording made it about 10/s.
    const { claimed, attempts } = await run(0, 200, 3_500);
    const steady = attempts.filter((t) => t >= 1_500 && t < 3_500).length;
    // At least three quarters of the rate, so a loaded machine's pauses do not fail it; the cap alone gave half.
    expect(steady).toBeGreaterThanOrEqual(0.75 * 2 * RATE);
    expect(steady).toBeLessThanOrEqual(2 * RATE + 1);
    // No churn to speak of either: the burst's and the stop's hand-backs at most.
    expect(claimed).toBeLessThanOrEqual(attempts.length + RATE);
  }, 15_000);

  it.each([false, true])(
    "takes up the leases of a claim whose answer was lost once they run out (once: %s)",
    async (once) => {
      // The claim committed and its answer was lost (a transient error, claimed again after a
      // pause): its rows stay SENDING under this worker's id until their lease runs out. Counted as
      // held, they filled the endpoint's bound for good; a run with --once never ended.
      const { receiver } = await bed.endpoint(undefined, { rateLimitPerSecond: RATE, maxInFlight: CAP });
      const events = Array.from({ length: 6 }, (_, i) => ({
        line: i + 1,
        type: "x",
        data: { i },
        idempotencyKey: null,
      }));
      await sendBatch(live, { events, allowUnknownType: true });
      const inner = sqlStore(live.sql, { target: bed.ctx.db.target, env: bed.ctx.env });
      let lost = 0;
      const store: DeliveryStore = {
        ...inner,
        claim: async (...args) => {
          const r = await inner.claim(...args);
          if (r.items.length > 0 && lost++ === 0)
            throw Object.assign(new Error("Connection terminated unexpectedly"), { code: "08006" });
          return r;
        },
      };
      const stop = new AbortController();
      const hung = setTimeout(() => stop.abort(), 10_000);
      const summary = await runWorker(live, {
        concurrency: 4,
        once,
        maxTimeMs: once ? null : 6_000,
        leaseMs: 1_500,
        disableAfterMs: 86_400_000,
        pollMs: 50,
        store,
        signal: stop.signal,
        onRetry: () => undefined,
      }).finally(() => clearTimeout(hung));
      expect(stop.signal.aborted).toBe(false);
      expect(receiver.received).toHaveLength(6);
      expect(summary.delivered).toBe(6);
    },
    20_000,
  );
});
