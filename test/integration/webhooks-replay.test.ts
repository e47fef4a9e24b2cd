import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { col } from "../../src/db/sql.js";
import type { ServiceContext } from "../../src/services/context.js";
import type { EndpointInput } from "../../src/services/webhooks/endpoint-input.js";
import { replay } from "../../src/services/webhooks/replay/apply.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { setEndpointEnabled } from "../../src/services/webhooks/update-endpoint.js";
import { runWorker } from "../../src/services/webhooks/worker/run.js";
import type { WebhookReplayRequest } from "../../src/types/integration/webhook.types.js";
import { PROVIDERS } from "../helpers/databases.js";
import type { Answer } from "../helpers/receiver.js";
import { webhookBed, type WebhookBed } from "../helpers/webhook-bed.js";

// Replay's selection and routing, on both providers: which (event, endpoint) pairs a plan holds,
// what applying it sends and records, and what it leaves alone.

const options = { concurrency: 8, leaseMs: 60_000 };
const request = (
  selector: WebhookReplayRequest["selector"],
  more: Partial<WebhookReplayRequest> = {},
): WebhookReplayRequest => ({
  selector,
  includeDelivered: false,
  routing: "original",
  dryRun: false,
  planHash: null,
  ...more,
});

describe.each(PROVIDERS)("webhook replay on %s", (provider) => {
  let bed: WebhookBed;
  let ctx: ServiceContext;
  beforeEach(async () => {
    bed = await webhookBed(provider, { retryScheduleMs: [0] }); // one attempt: a failure is final
    ctx = bed.ctx;
  });
  afterEach(() => bed.dispose());
  const endpoint = (respond?: () => Answer, input: Partial<EndpointInput> = {}) => bed.endpoint(respond, input);
  const send = async (type: string, n = 1) =>
    (
      await sendBatch(ctx, {
        events: Array.from({ length: n }, (_, i) => ({ line: i + 1, type, data: { i }, idempotencyKey: null })),
        allowUnknownType: true,
      })
    ).events.map((e) => e.event.id);
  const drain = () =>
    runWorker(ctx, {
      concurrency: 8,
      once: true,
      maxTimeMs: null,
      leaseMs: 60_000,
      disableAfterMs: 5 * 86_400_000,
      pollMs: 20,
    });
  const statusOf = async (eventId: string, endpointId: string) =>
    (
      await ctx.sql.get<{ status: string }>(
        `SELECT "status" FROM "WebhookDelivery" WHERE "eventId" = ? AND "endpointId" = ?`,
        [eventId, endpointId],
      )
    )?.status;

  it("routes an event to the endpoints that match it now with --routing current, creating the missing delivery", async () => {
    const { receiver: a, ep: first } = await endpoint();
    const [eventId] = await send("invoice.paid");
    await drain();
    const { receiver: b, ep: later } = await endpoint(undefined, { eventFilter: ["invoice.*"] });
    await endpoint(undefined, { eventFilter: ["customer.*"] }); // matches nothing: left out

    const original = await replay(
      ctx,
      request({ kind: "event", eventId: eventId! }, { dryRun: true, includeDelivered: true }),
      options,
    );
    expect(original.plan.pairs).toEqual([{ eventId, endpointId: first.id, deliveryId: expect.any(String) }]);
    const planned = await replay(
      ctx,
      request({ kind: "event", eventId: eventId! }, { routing: "current", includeDelivered: true, dryRun: true }),
      options,
    );
    expect(planned.plan.pairs.map((p) => [p.endpointId, p.deliveryId === null ? "new" : "existing"]).sort()).toEqual(
      [
        [first.id, "existing"],
        [later.id, "new"],
      ].sort(),
    );
    const current = await replay(
      ctx,
      request(
        { kind: "event", eventId: eventId! },
        { routing: "current", includeDelivered: true, planHash: planned.plan.planHash },
      ),
      options,
    );
    expect(current.summary).toMatchObject({ attempts: 2, delivered: 2 });
    expect(a.received.map((r) => r.id)).toEqual([eventId, eventId]);
    expect(b.received.map((r) => r.id)).toEqual([eventId]); // the original webhook-id
    expect(b.received[0]!.valid).toBe(true);
    expect(await statusOf(eventId!, later.id)).toBe("DELIVERED");
  });

  it("skips delivered, disabled and in-flight deliveries, writes nothing on a dry run, and leaves a failed replay FAILED", async () => {
    let up = false;
    const { receiver, ep } = await endpoint(() => ({ status: up ? 200 : 500 }));
    const { ep: off } = await endpoint();
    const ids = await send("order.created", 3);
    await drain(); // ep: three FAILED (one attempt each); off: three DELIVERED
    await setEndpointEnabled(ctx, off.id, false);
    const window = {
      since: new Date(ctx.now().getTime() - 3_600_000).toISOString(),
      until: new Date(ctx.now().getTime() + 1).toISOString(),
    };
    const filter = {
      kind: "filter" as const,
      endpointId: null,
      status: ["FAILED" as const, "DELIVERED" as const],
      window,
      typePattern: "order.*",
    };

    const dry = await replay(ctx, request(filter, { dryRun: true }), options);
    expect(dry.plan).toMatchObject({ skippedDelivered: 0, skippedDisabled: 3 });
    expect(dry.plan.pairs.map((p) => p.endpointId)).toEqual([ep.id, ep.id, ep.id]);
    expect(receiver.received).toHaveLength(3); // nothing sent
    const none = await replay(ctx, request({ ...filter, typePattern: "invoice.*" }, { dryRun: true }), options);
    expect(none.plan.pairs).toEqual([]);

    const again = await replay(ctx, request({ kind: "delivery", deliveryId: dry.plan.pairs[0]!.deliveryId! }), options);
    expect(again.summary).toMatchObject({ attempts: 1, delivered: 0, failed: 1 });
    expect(await statusOf(ids[0]!, ep.id)).toBe("FAILED");
    const trigger = await ctx.sql.all<{ trigger: string; n: unknown }>(
      `SELECT "trigger", COUNT(*) AS "n" FROM "WebhookDeliveryAttempt" WHERE "endpointId" = ? GROUP BY "trigger" ORDER BY "trigger"`,
      [ep.id],
    );
    expect(trigger.map((r) => [r.trigger, col.int(r.n)])).toEqual([
      ["manual", 1],
      ["scheduled", 3],
    ]);

    up = true;
    await ctx.sql.run(
      `UPDATE "WebhookDelivery" SET "status" = 'SENDING', "leaseOwner" = 'another-worker' WHERE "eventId" = ? AND "endpointId" = ?`,
      [ids[2], ep.id],
    );
    const busy = await replay(ctx, request({ kind: "event", eventId: ids[2]! }, { dryRun: true }), options);
    expect(busy.plan).toMatchObject({ skippedInFlight: 1, skippedDisabled: 1, pairs: [] });
    const rest = await replay(ctx, request(filter), options);
    expect(rest.plan).toMatchObject({ skippedDisabled: 3 });
    expect(rest.summary).toMatchObject({ attempts: 2, delivered: 2 });
    expect(
      receiver.received
        .slice(-2)
        .map((r) => r.id)
        .sort(),
    ).toEqual([ids[0], ids[1]].sort());
    const delivered = await replay(ctx, request(filter, { dryRun: true }), options);
    expect(delivered.plan).toMatchObject({ skippedDelivered: 2, pairs: [] });
  });
});
