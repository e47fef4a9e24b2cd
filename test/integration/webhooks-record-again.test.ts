import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { typed } from "../../src/db/kysely.js";
import { migrationsDir } from "../../src/db/migrations.js";
import { insertAttempts, type NewAttempt } from "../../src/db/queries/webhook-delivery-attempt.js";
import { col } from "../../src/db/sql.js";
import { newId } from "../../src/lib/ids.js";
import type { ServiceContext } from "../../src/services/context.js";
import { claimDue } from "../../src/services/webhooks/worker/claim.js";
import { encodeAttempts, recordBatch } from "../../src/services/webhooks/worker/record.js";
import { runWorker } from "../../src/services/webhooks/worker/run.js";
import { type DeliveryStore, sqlStore } from "../../src/services/webhooks/worker/store.js";
import { PROVIDERS } from "../helpers/databases.js";
import { finishedAttempt, sendEvents, webhookBed, type WebhookBed } from "../helpers/webhook-bed.js";

// A batch whose COMMIT succeeded but whose answer was lost (the connection cut just after) is
// written again by the worker, which saw a transient error: its attempts must be recorded once,
// and its outcomes must not be written over what happened to the deliveries since.

const DAY = 86_400_000;
const lostAnswer = () => Object.assign(new Error("Connection terminated unexpectedly"), { code: "08006" });
type Delivery = { status: string; leaseOwner: string | null; attemptCount: unknown };

describe.each(PROVIDERS)("a batch written again after its commit's answer was lost, on %s", (provider) => {
  let bed: WebhookBed;
  let ctx: ServiceContext;
  beforeEach(async () => {
    bed = await webhookBed(provider);
    ({ ctx } = bed);
  });
  afterEach(() => bed.dispose());

  const send = (n: number) => sendEvents(ctx, n);
  /** The store, but the first batch commits and then its answer is lost: the worker hears a connection error. */
  const firstAnswerLost = (): DeliveryStore => {
    const inner = sqlStore(ctx.sql, { target: ctx.db.target, env: ctx.env });
    let cut = 0;
    return {
      ...inner,
      record: async (...args) => {
        const disabled = await inner.record(...args);
        if (cut++ === 0) throw lostAnswer();
        return disabled;
      },
    };
  };
  const attemptCount = async () =>
    col.int((await ctx.sql.get<{ n: unknown }>(`SELECT count(*) AS "n" FROM "WebhookDeliveryAttempt"`))?.n);
  const deliveries = () =>
    ctx.sql.all<Delivery>(`SELECT "status", "leaseOwner", "attemptCount" FROM "WebhookDelivery" ORDER BY "id"`);

  it("is recorded once by the worker, which counts each attempt once", async () => {
    const { receiver } = await bed.endpoint();
    await send(5);
    const store = firstAnswerLost();
    const retries: unknown[] = [];
    const options = { concurrency: 8, once: true, maxTimeMs: null, leaseMs: 60_000, disableAfterMs: 5 * DAY };
    const summary = await runWorker(ctx, { ...options, pollMs: 50, store, onRetry: (e) => retries.push(e) });
    expect(retries).toHaveLength(1);
    expect(receiver.received).toHaveLength(5);
    expect(summary).toMatchObject({ attempts: 5, delivered: 5, failed: 0, retrying: 0 });
    expect(await attemptCount()).toBe(5); // 10 before: the batch's attempts written twice
    const rows = await deliveries();
    expect(rows.map((d) => [d.status, d.leaseOwner, col.int(d.attemptCount)])).toEqual(
      Array.from({ length: 5 }, () => ["DELIVERED", null, 1]),
    );
  });

  // Through the INSERT too: an app's Prisma client has no COPY (SQLite inserts a row at a time anyway).
  it.each([
    ["as the worker writes it (COPY on PostgreSQL)", true],
    ["through one INSERT, as on an app's Prisma client", false],
  ])("changes nothing the second time, %s", async (_, copy) => {
    await bed.endpoint();
    await send(2);
    const now = ctx.now();
    const claimed = await claimDue(ctx.sql, "w1", now, 60_000, 2);
    const finished = claimed.map((c) =>
      finishedAttempt(c, now, {
        result: { statusCode: 500, headers: null, body: null, error: null, timedOut: false, durationMs: 3 },
        // Due again at once, so the same worker claims them before the batch is written again.
        outcome: { kind: "retry", at: now },
      }),
    );
    if (!copy) {
      const transaction = ctx.sql.transaction.bind(ctx.sql);
      ctx.sql.transaction = ((fn: Parameters<typeof transaction>[0]) =>
        transaction((tx) => fn(Object.assign(tx, { copyFrom: undefined })))) as typeof ctx.sql.transaction;
    }
    const records = encodeAttempts(finished);
    const recordCtx = { sql: ctx.sql, now: () => now, actor: "system", db: ctx.db, env: ctx.env };
    expect(await recordBatch(recordCtx, "w1", records, 5 * DAY)).toEqual([]);
    expect(await claimDue(ctx.sql, "w1", now, 60_000, 2)).toHaveLength(2);
    const claimedAgain = await deliveries();

    expect(await recordBatch(recordCtx, "w1", records, 5 * DAY)).toEqual([]);
    expect(await attemptCount()).toBe(2);
    // Still claimed for the second attempt: written again, the first outcomes released the leases.
    expect(await deliveries()).toEqual(claimedAgain);
    expect(claimedAgain.map((d) => [d.status, d.leaseOwner, col.int(d.attemptCount)])).toEqual([
      ["SENDING", "w1", 1],
      ["SENDING", "w1", 1],
    ]);
  });

  it("reports the endpoint its first try disabled (a 410), whose answer was lost", async () => {
    const { ep } = await bed.endpoint(() => ({ status: 410 }));
    await send(1);
    const store = firstAnswerLost();
    const options = { concurrency: 2, once: true, maxTimeMs: null, leaseMs: 60_000, disableAfterMs: 5 * DAY };
    const summary = await runWorker(ctx, { ...options, pollMs: 50, store, onRetry: () => undefined });
    expect(summary.disabledEndpoints).toEqual([{ endpointId: ep.id, reason: "the receiver answered 410 Gone" }]);
    expect(await attemptCount()).toBe(1);
  });
});

describe.each(PROVIDERS)("the migration that removes attempts recorded twice, on %s", (provider) => {
  let bed: WebhookBed;
  beforeEach(async () => {
    bed = await webhookBed(provider);
  });
  afterEach(() => bed.dispose());

  it("keeps one of each copy, and both of two requests made with one attempt number", async () => {
    const { ctx } = bed;
    const { ep } = await bed.endpoint();
    await sendEvents(ctx, 1);
    const [delivery] = await ctx.sql.all<{ id: string }>(`SELECT "id" FROM "WebhookDelivery"`);
    const at = new Date("2026-01-02T03:04:05.678Z");
    const first: NewAttempt = {
      id: newId("attempt", at),
      deliveryId: delivery!.id,
      endpointId: ep.id,
      attemptNumber: 1,
      trigger: "scheduled",
      startedAt: at,
      durationMs: 12,
      statusCode: 500,
      responseHeaders: '{"x-a":"1"}',
      responseBody: "oops",
      error: null,
      succeeded: false,
      requestHeaders: '{"webhook-id":"evt_1"}',
      requestBody: null,
    };
    const copy = { ...first, id: newId("attempt", at) }; // the same batch written again
    const resent = { ...first, id: newId("attempt", at), startedAt: new Date(at.getTime() + 60_000) };
    const second = { ...first, id: newId("attempt", at), attemptNumber: 2, statusCode: null, error: "timed out" };
    const secondCopy = { ...second, id: newId("attempt", at) };
    await insertAttempts(typed(ctx.sql), provider, [first, copy, resent, second, secondCopy]);

    const file = join(migrationsDir(provider), "20261206005700_attempt_recorded_once", "migration.sql");
    await ctx.sql.run(readFileSync(file, "utf8"));
    const left = await ctx.sql.all<{ id: string }>(`SELECT "id" FROM "WebhookDeliveryAttempt" ORDER BY "id"`);
    const earliest = (...ids: string[]) => ids.sort()[0]!;
    expect(left.map((r) => r.id)).toEqual(
      [earliest(first.id, copy.id), resent.id, earliest(second.id, secondCopy.id)].sort(),
    );
  });
});
