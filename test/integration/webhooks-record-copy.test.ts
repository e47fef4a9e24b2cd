import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { col } from "../../src/db/sql.js";
import type { ServiceContext } from "../../src/services/context.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { claimDue } from "../../src/services/webhooks/worker/claim.js";
import { encodeAttempts, recordBatch, type Finished } from "../../src/services/webhooks/worker/record.js";
import { PROVIDERS } from "../helpers/databases.js";
import { webhookBed, type WebhookBed } from "../helpers/webhook-bed.js";

// The worker's record of a batch's attempts: on PostgreSQL one COPY into "WebhookDeliveryAttempt"
// (webhook-delivery-attempt.ts), whose text escapes what its format reads as a separator, a NULL
// or an escape. Every value comes back as it went in.

const DAY = 86_400_000;
// Tabs, newlines, carriage returns, backslashes, COPY's own "\N" and its end marker "\.".
const AWKWARD = 'a\tb\nc\r\\d \\N \\. "q" é \\t';

describe.each(PROVIDERS)("recording a batch of attempts on %s", (provider) => {
  let bed: WebhookBed;
  let ctx: ServiceContext;
  beforeEach(async () => {
    bed = await webhookBed(provider);
    ({ ctx } = bed);
  });
  afterEach(() => bed.dispose());

  it("stores every value of every attempt as it was, in one COPY on PostgreSQL", async () => {
    await bed.endpoint();
    await sendBatch(ctx, {
      events: [1, 2].map((n) => ({ line: n, type: "invoice.paid", data: { n }, idempotencyKey: null })),
      allowUnknownType: true,
    });
    const now = ctx.now();
    const claimed = await claimDue(ctx.sql, "w1", now, 60_000, 2);
    expect(claimed).toHaveLength(2);
    const [a, b] = claimed.map(
      (c): Finished => ({
        deliveryId: c.id,
        eventId: c.eventId,
        endpointId: c.endpointId,
        attemptNumber: 1,
        trigger: "scheduled",
        startedAt: new Date(now.getTime() - 5),
        requestHeaders: { "webhook-id": c.eventId, "x-odd": AWKWARD },
        requestBody: AWKWARD,
        result: {
          statusCode: 200,
          headers: { "x-odd": AWKWARD },
          body: AWKWARD,
          error: null,
          timedOut: false,
          durationMs: 7,
        },
        outcome: { kind: "delivered" },
      }),
    );
    const failed: Finished = {
      ...b!,
      requestHeaders: null,
      requestBody: null,
      result: { statusCode: null, headers: null, body: null, error: AWKWARD, timedOut: false, durationMs: 0 },
      outcome: { kind: "failed" },
    };
    let copies = 0;
    const transaction = ctx.sql.transaction.bind(ctx.sql);
    ctx.sql.transaction = ((fn: Parameters<typeof transaction>[0]) =>
      transaction((tx) => {
        const copyFrom = tx.copyFrom?.bind(tx);
        if (copyFrom) tx.copyFrom = (s: string) => (copies++, copyFrom(s));
        return fn(tx);
      })) as typeof ctx.sql.transaction;
    const recordCtx = { sql: ctx.sql, now: () => now, actor: "system", db: ctx.db, env: ctx.env };
    await recordBatch(recordCtx, "w1", encodeAttempts([a!, failed]), 5 * DAY);
    expect(copies).toBe(provider === "postgresql" ? 1 : 0);

    const rows = await ctx.sql.all<Record<string, unknown>>(
      `SELECT * FROM "WebhookDeliveryAttempt" ORDER BY "deliveryId"`,
    );
    const byDelivery = new Map(rows.map((r) => [r.deliveryId, r]));
    const sent = byDelivery.get(a!.deliveryId)!;
    expect(col.json(sent.requestHeaders)).toEqual({ "webhook-id": a!.eventId, "x-odd": AWKWARD });
    expect(col.json(sent.responseHeaders)).toEqual({ "x-odd": AWKWARD });
    expect([sent.requestBody, sent.responseBody, sent.error]).toEqual([AWKWARD, AWKWARD, null]);
    expect([col.int(sent.statusCode), col.int(sent.durationMs), col.int(sent.attemptNumber)]).toEqual([200, 7, 1]);
    expect(col.date(sent.startedAt).getTime()).toBe(now.getTime() - 5);
    expect([sent.trigger, col.bool(sent.succeeded), sent.endpointId]).toEqual(["scheduled", true, a!.endpointId]);
    const unsent = byDelivery.get(b!.deliveryId)!;
    expect([unsent.requestHeaders, unsent.responseHeaders, unsent.requestBody]).toEqual([null, null, null]);
    expect([unsent.responseBody, unsent.statusCode, unsent.error]).toEqual([null, null, AWKWARD]);
    expect(col.bool(unsent.succeeded)).toBe(false);
  });
});
