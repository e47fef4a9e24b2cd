import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ServiceContext } from "../../src/services/context.js";
import { checkHealth } from "../../src/services/webhooks/health/check.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { setEndpointEnabled } from "../../src/services/webhooks/update-endpoint.js";
import { claimDue, claimer, EXPIRED_EVERY_MS } from "../../src/services/webhooks/worker/claim.js";
import { encodeAttempts, recordBatch, type Finished } from "../../src/services/webhooks/worker/record.js";
import { PROVIDERS } from "../helpers/databases.js";
import type { TestServices } from "../helpers/services.js";
import { finishedAttempt, webhookBed, type WebhookBed } from "../helpers/webhook-bed.js";

// Deliveries a killed worker leaves SENDING: claimed with a lease, then nobody records them. Once the
// lease has run out, disabling their endpoint (by hand or the worker's own decision) must cancel them,
// and `health` must name them, or they stay SENDING forever (claims skip disabled endpoints).

const DAY = 86_400_000;
type Row = { id: string; status: string; leaseOwner: string | null };

describe.each(PROVIDERS)("deliveries stalled by a dead worker on %s", (provider) => {
  let bed: WebhookBed;
  let t: TestServices;
  let ctx: ServiceContext;
  beforeEach(async () => {
    bed = await webhookBed(provider);
    ({ t, ctx } = bed);
  });
  afterEach(() => bed.dispose());

  const rows = () => ctx.sql.all<Row>(`SELECT "id","status","leaseOwner" FROM "WebhookDelivery" ORDER BY "id"`);
  const send = (n: number) =>
    sendBatch(ctx, {
      events: Array.from({ length: n }, (_, i) => ({
        line: i + 1,
        type: "invoice.paid",
        data: { i },
        idempotencyKey: null,
      })),
      allowUnknownType: true,
    });
  const health = async () =>
    (
      await checkHealth(ctx, {
        endpointId: null,
        since: new Date(0),
        ping: false,
        maxFailureRate: 1,
        maxP95Ms: 1e9,
        maxBacklogAgeMs: 1e12,
      })
    )[0]!;

  it("disable cancels PENDING and expired SENDING rows, leaves a live lease to its worker; health reports the stalled ones", async () => {
    const { ep } = await bed.endpoint();
    await send(4);
    // The dead worker's two claims expire in 1 s; a live worker holds one for a minute; one stays PENDING.
    const dead = await claimDue(ctx.sql, "dead", ctx.now(), 1_000, 2);
    const live = await claimDue(ctx.sql, "live", ctx.now(), 60_000, 1);
    expect(dead).toHaveLength(2);
    expect((await health()).violations.map((v) => v.threshold)).toEqual([]);
    t.advance(5_000);

    const report = await health();
    expect(report.healthy).toBe(false);
    expect(report.violations).toEqual([
      {
        threshold: "stalled_sending",
        actual: 2,
        limit: 0,
        message:
          "2 deliveries SENDING under an expired lease for 4s (a worker died holding them; a running worker reclaims them)",
      },
    ]);

    const result = await setEndpointEnabled(ctx, ep.id, false, "maintenance");
    expect(result.cancelledDeliveries).toBe(3);
    const after = await rows();
    expect(after.filter((r) => r.status === "SENDING")).toEqual([
      { id: live[0]!.id, status: "SENDING", leaseOwner: "live" },
    ]);
    expect(after.filter((r) => r.status === "CANCELLED").map((r) => r.leaseOwner)).toEqual([null, null, null]);
    for (const d of dead) expect(after.find((r) => r.id === d.id)!.status).toBe("CANCELLED");
    // The dead worker's rows are gone from health; the live lease, once it expires too, is reported.
    expect((await health()).violations.map((v) => v.threshold)).toEqual(["disabled"]);
    t.advance(60_000);
    expect((await health()).violations.map((v) => v.threshold)).toEqual(["disabled", "stalled_sending"]);
    // And a live worker recording late changes nothing on a cancelled row.
    await recordBatch(
      { sql: ctx.sql, now: () => ctx.now(), actor: "system", db: ctx.db, env: ctx.env },
      "dead",
      encodeAttempts([finished(dead[0]!, ctx.now(), 200)]),
      5 * DAY,
    );
    expect((await rows()).find((r) => r.id === dead[0]!.id)!.status).toBe("CANCELLED");
  });

  it("a running worker takes up a dead worker's expired leases within EXPIRED_EVERY_MS, not on every refill", async () => {
    await bed.endpoint();
    await send(3);
    const dead = await claimDue(ctx.sql, "dead", ctx.now(), 1_000, 2);
    expect(dead).toHaveLength(2);
    const claim = claimer(ctx.sql); // a live worker's store, as it refills
    const ids = async () => (await claim("live", ctx.now(), 60_000, 10)).items.map((c) => c.id).sort();
    const start = Date.now();
    const clock = vi.spyOn(Date, "now").mockReturnValue(start);
    try {
      expect(await ids()).toHaveLength(1); // the one still PENDING; nothing had expired yet
      t.advance(5_000); // the dead worker's leases have run out
      clock.mockReturnValue(start + EXPIRED_EVERY_MS - 1);
      expect(await ids()).toEqual([]); // this refill does not look for them
      clock.mockReturnValue(start + EXPIRED_EVERY_MS);
      expect(await ids()).toEqual(dead.map((d) => d.id).sort());
    } finally {
      clock.mockRestore();
    }
    const held = await rows();
    expect(held.map((r) => [r.status, r.leaseOwner])).toEqual([
      ["SENDING", "live"],
      ["SENDING", "live"],
      ["SENDING", "live"],
    ]);
  });

  it("the worker's own disable (410 Gone) also cancels rows a dead worker left SENDING", async () => {
    const { ep } = await bed.endpoint();
    await send(2);
    const [dead] = await claimDue(ctx.sql, "dead", ctx.now(), 1_000, 1);
    const [other] = await claimDue(ctx.sql, "w1", ctx.now(), 60_000, 1);
    expect(other!.id).not.toBe(dead!.id);
    t.advance(5_000); // the dead worker's lease has run out; w1's has not
    const disabled = await recordBatch(
      { sql: ctx.sql, now: () => ctx.now(), actor: "system", db: ctx.db, env: ctx.env },
      "w1",
      encodeAttempts([finished(other!, ctx.now(), 410, "gone")]),
      5 * DAY,
    );
    expect(disabled).toEqual([{ endpointId: ep.id, reason: "the receiver answered 410 Gone" }]);
    const after = await rows();
    expect(after.find((r) => r.id === dead!.id)).toEqual({ id: dead!.id, status: "CANCELLED", leaseOwner: null });
    expect(after.some((r) => r.status === "SENDING")).toBe(false);
  });
});

function finished(
  c: { id: string; eventId: string; endpointId: string },
  now: Date,
  statusCode: number,
  kind: "delivered" | "gone" = "delivered",
): Finished {
  return finishedAttempt(c, now, {
    requestHeaders: {},
    result: { statusCode, headers: {}, body: "", error: null, timedOut: false, durationMs: 1 },
    outcome: kind === "gone" ? { kind: "gone" } : { kind: "delivered" },
  });
}
