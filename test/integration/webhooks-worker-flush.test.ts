import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ServiceContext } from "../../src/services/context.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { runWorker } from "../../src/services/webhooks/worker/run.js";
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
});
