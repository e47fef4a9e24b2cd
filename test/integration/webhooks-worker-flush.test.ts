import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ServiceContext } from "../../src/services/context.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { runWorker } from "../../src/services/webhooks/worker/run.js";
import { type DeliveryStore, sqlStore } from "../../src/services/webhooks/worker/store.js";
import { PROVIDERS } from "../helpers/databases.js";
import { webhookBed, type WebhookBed } from "../helpers/webhook-bed.js";

// A worker that has run dry (no lane sending, nothing queued) writes its finished attempts at once:
// nothing is coming to join their batch. Before, they waited for the batch timer, and a run that
// stops when nothing is due (--once) waited for it at its end. The global setTimeout is faked here
// (the batch timer's; node:timers/promises, which the worker idles on, is not), so an attempt
// recorded at all was recorded without it.

describe.each(PROVIDERS)("a worker run dry on %s", (provider) => {
  let bed: WebhookBed;
  let ctx: ServiceContext;
  beforeEach(async () => {
    bed = await webhookBed(provider);
    ({ ctx } = bed);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await bed.dispose();
  });

  const status = async () =>
    (await ctx.sql.all<{ status: string }>(`SELECT "status" FROM "WebhookDelivery"`)).map((r) => r.status);

  it("records its last attempt without waiting for the batch timer", async () => {
    const { receiver } = await bed.endpoint();
    await sendBatch(ctx, {
      events: [{ line: 1, type: "invoice.paid", data: {}, idempotencyKey: null }],
      allowUnknownType: true,
    });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const stop = new AbortController();
    const run = runWorker(ctx, {
      concurrency: 4,
      once: false,
      maxTimeMs: null,
      leaseMs: 60_000,
      disableAfterMs: 86_400_000,
      pollMs: 20,
      signal: stop.signal,
    });
    let seen: string[] = [];
    for (let i = 0; i < 150 && seen[0] !== "DELIVERED"; i++) {
      await sleep(20);
      seen = await status();
    }
    stop.abort();
    const summary = await run;
    expect(receiver.received).toHaveLength(1);
    expect(seen).toEqual(["DELIVERED"]);
    expect(summary).toMatchObject({ attempts: 1, delivered: 1 });
  });

  it("keeps batching the attempts of a paced endpoint, whose deliveries wait for their slots", async () => {
    // At 50/s one attempt at a time finishes with no lane sending and nothing queued: written at
    // once, each was a transaction of its own (132 for 148 attempts in review; ~45 with the timer).
    await bed.endpoint(undefined, { rateLimitPerSecond: 50 });
    const events = Array.from({ length: 400 }, (_, i) => ({
      line: i + 1,
      type: "x",
      data: { i },
      idempotencyKey: null,
    }));
    const live = { ...ctx, now: () => new Date() }; // the slots are real time
    await sendBatch(live, { events, allowUnknownType: true });
    const inner = sqlStore(live.sql, { target: ctx.db.target, env: ctx.env });
    let batches = 0;
    const store: DeliveryStore = { ...inner, record: (...args) => (batches++, inner.record(...args)) };
    const options = { concurrency: 8, once: false, leaseMs: 30_000, disableAfterMs: 86_400_000, pollMs: 50, store };
    const summary = await runWorker(live, { ...options, maxTimeMs: 2_000 });
    expect(summary.attempts).toBeGreaterThanOrEqual(20);
    expect(batches).toBeLessThanOrEqual(summary.attempts / 2);
  }, 15_000);
});
