import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../src/services/context.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { updateEndpoint } from "../../src/services/webhooks/update-endpoint.js";
import { claimDue } from "../../src/services/webhooks/worker/claim.js";
import { claimLimited } from "../../src/services/webhooks/worker/claim-limited.js";
import { PROVIDERS } from "../helpers/databases.js";
import { webhookBed, type WebhookBed } from "../helpers/webhook-bed.js";

// The claim takes turns between endpoints (claim-rotating.ts): one endpoint's backlog does not
// delay another endpoint's first delivery, and an endpoint of which a worker holds its share offers
// no more to that worker.

describe.each(PROVIDERS)("the rotating claim on %s", (provider) => {
  let bed: WebhookBed;
  let ctx: ServiceContext;
  beforeEach(async () => {
    bed = await webhookBed(provider);
    ({ ctx } = bed);
  });
  afterEach(() => bed.dispose());

  const send = (type: string, n: number) =>
    sendBatch(ctx, {
      events: Array.from({ length: n }, (_, i) => ({ line: i + 1, type, data: { i }, idempotencyKey: null })),
      allowUnknownType: true,
    });

  it("hands out each endpoint's oldest in turn, so a backlog does not hold back another endpoint's first", async () => {
    const { ep: busy } = await bed.endpoint(undefined, { eventFilter: ["busy.*"] });
    const { ep: quiet } = await bed.endpoint(undefined, { eventFilter: ["quiet.*"] });
    await send("busy.first", 4);
    bed.t.advance(1_000);
    await send("busy.later", 500);
    bed.t.advance(1_000);
    await send("quiet.x", 2); // queued after the whole backlog
    bed.t.advance(1_000);
    const claimed = await claimDue(ctx.sql, "w1", ctx.now(), 60_000, 6);
    expect(claimed.map((c) => c.endpointId).sort()).toEqual(
      [busy.id, busy.id, busy.id, busy.id, quiet.id, quiet.id].sort(),
    );
    // Oldest first within an endpoint: the busy endpoint's first four events.
    const busyTypes = claimed.filter((c) => c.endpointId === busy.id).map((c) => JSON.parse(c.payload).type);
    expect(busyTypes).toEqual(Array(4).fill("busy.first"));
  });

  it("offers nothing more of an endpoint of which the worker holds its share; another worker still gets them", async () => {
    // Two in flight, four times that held: 8.
    const { ep: slow } = await bed.endpoint(undefined, { eventFilter: ["slow.*"], maxInFlight: 2 });
    const { ep: fast } = await bed.endpoint(undefined, { eventFilter: ["fast.*"] });
    await send("slow.x", 50);
    bed.t.advance(1_000);
    const first = await claimDue(ctx.sql, "w1", ctx.now(), 60_000, 100, 4);
    expect(first).toHaveLength(8);
    await send("fast.x", 3);
    bed.t.advance(1_000);
    const second = await claimDue(ctx.sql, "w1", ctx.now(), 60_000, 100, 4);
    expect(second.map((c) => c.endpointId)).toEqual([fast.id, fast.id, fast.id]);
    const other = await claimDue(ctx.sql, "w2", ctx.now(), 60_000, 100, 4);
    expect(other.map((c) => c.endpointId)).toEqual(Array(8).fill(slow.id));
    // Each delivery went to one worker only.
    const ids = [...first, ...second, ...other].map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe.each(PROVIDERS)("the rate-limited claim on %s", (provider) => {
  it("opens no transaction while no endpoint has a rate limit (an idle worker takes no write lock)", async () => {
    const bed = await webhookBed(provider);
    try {
      const { ep } = await bed.endpoint();
      const sql = bed.ctx.sql;
      const original = sql.transaction.bind(sql);
      let transactions = 0;
      sql.transaction = ((fn: never) => (transactions++, original(fn))) as typeof sql.transaction;
      expect(await claimLimited(sql, "w1", bed.ctx.now(), 60_000, 10)).toEqual({ items: [], heldMs: null });
      expect(transactions).toBe(0);
      await updateEndpoint(bed.ctx, ep.id, { rateLimitPerSecond: 5 });
      transactions = 0;
      await claimLimited(sql, "w1", bed.ctx.now(), 60_000, 10);
      expect(transactions).toBe(1);
    } finally {
      await bed.dispose();
    }
  });
});
