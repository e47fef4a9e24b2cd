import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signatureHeaders } from "../../src/lib/webhook-signing.js";
import type { ServiceContext } from "../../src/services/context.js";
import { countByKey } from "../../src/services/secrets/status.js";
import { createEndpoint } from "../../src/services/webhooks/create-endpoint.js";
import type { EndpointInput } from "../../src/services/webhooks/endpoint-input.js";
import { signingSecrets } from "../../src/services/webhooks/endpoint-secret.js";
import { rotateEndpointSecret } from "../../src/services/webhooks/rotate-secret.js";
import { EndpointCache, secretsAt } from "../../src/services/webhooks/worker/endpoints.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

// Issue 13, "Rotation": every rotated-out secret signs until its own promised end, three secrets at
// most, on a pinned clock (the end-to-end run is test/e2e/webhooks-rotation.test.ts).

const MIN = 60_000;
const base: EndpointInput = {
  url: "http://127.0.0.1:9/hook",
  description: null,
  channel: "HTTP",
  eventFilter: [],
  headers: null,
  timeoutMs: 15_000,
  retryScheduleMs: null,
  rateLimitPerSecond: null,
  allowPrivateNetwork: true,
};
const BODY = '{"type":"invoice.paid","timestamp":"2026-01-15T12:00:00.000Z","data":{}}';

/** Which of `secrets` a standardwebhooks receiver accepts a message signed now with the endpoint's secrets. */
async function verifying(ctx: ServiceContext, id: string, secrets: string[]): Promise<boolean[]> {
  const headers = signatureHeaders(await signingSecrets(ctx, id), "msg_1", Math.floor(Date.now() / 1000), BODY);
  return secrets.map((s) => {
    try {
      new Webhook(s).verify(BODY, { ...headers });
      return true;
    } catch {
      return false;
    }
  });
}

const rowOf = (ctx: ServiceContext, id: string) =>
  ctx.sql.get<Record<string, unknown>>(`SELECT * FROM "WebhookEndpoint" WHERE "id" = ?`, [id]);
const rotations = async (ctx: ServiceContext, id: string) => {
  const rows = await ctx.sql.all<{ metadata: unknown }>(
    `SELECT "metadata" FROM "AuditEvent" WHERE "targetId" = ? AND "action" = 'endpoint.rotate_secret' ORDER BY "seq"`,
    [id],
  );
  const parsed = rows.map((r) => (typeof r.metadata === "string" ? JSON.parse(r.metadata) : r.metadata));
  return parsed as Record<string, unknown>[];
};
/** The view's two ends, `minutes` after `start`. */
const ends = (start: number, previous: number, older: number) => ({
  previousSecretExpiresAt: new Date(start + previous * MIN).toISOString(),
  olderSecretExpiresAt: new Date(start + older * MIN).toISOString(),
});
const swapSlots = (ctx: ServiceContext, id: string, previous: unknown, older: unknown) =>
  ctx.sql.run(
    `UPDATE "WebhookEndpoint" SET "previousSecretCiphertext" = ?, "olderSecretCiphertext" = ? WHERE "id" = ?`,
    [previous, older, id],
  );

describe.each(PROVIDERS)("signing-secret rotation on %s", (provider) => {
  let t: TestServices;
  let ctx: ServiceContext;
  beforeAll(async () => {
    t = await testServices(provider);
    ctx = t.ctx;
  });
  afterAll(async () => t?.dispose());

  it("two rotations 30 minutes apart: each old secret verifies until its own end", async () => {
    const start = ctx.now().getTime();
    const ep = await createEndpoint(ctx, base);
    const first = await rotateEndpointSecret(ctx, ep.id, { graceMs: 60 * MIN });
    t.advance(30 * MIN);
    const second = await rotateEndpointSecret(ctx, ep.id, { graceMs: 10 * MIN }); // shorter: ends before the first
    const all = [second.secret, first.secret, ep.secret];
    expect(second).toMatchObject(ends(start, 40, 60));
    expect(await signingSecrets(ctx, ep.id)).toEqual(all);
    expect(await verifying(ctx, ep.id, all)).toEqual([true, true, true]);
    t.advance(10 * MIN - 1);
    expect(await verifying(ctx, ep.id, all)).toEqual([true, true, true]);
    t.advance(1); // the second old secret's 10 minutes are up; the first's hour is not
    expect(await signingSecrets(ctx, ep.id)).toEqual([second.secret, ep.secret]);
    expect(await verifying(ctx, ep.id, all)).toEqual([true, false, true]);
    t.advance(20 * MIN - 1);
    expect(await verifying(ctx, ep.id, all)).toEqual([true, false, true]);
    t.advance(1); // the hour promised to the original secret is up
    expect(await signingSecrets(ctx, ep.id)).toEqual([second.secret]);
  });

  it("a longer grace later does not extend an earlier secret; a secret moving slot is sealed for it", async () => {
    const start = ctx.now().getTime();
    const ep = await createEndpoint(ctx, base);
    const first = await rotateEndpointSecret(ctx, ep.id, { graceMs: 60 * MIN });
    t.advance(30 * MIN);
    const second = await rotateEndpointSecret(ctx, ep.id, { graceMs: 120 * MIN });
    expect(second).toMatchObject(ends(start, 150, 60));
    t.advance(30 * MIN);
    expect(await signingSecrets(ctx, ep.id)).toEqual([second.secret, first.secret]);
    // The original secret's end has passed, so a third rotation needs no room: `first` moves to the older slot.
    const third = await rotateEndpointSecret(ctx, ep.id, { graceMs: 5 * MIN });
    expect(third).toMatchObject(ends(start, 65, 150));
    expect(await signingSecrets(ctx, ep.id)).toEqual([third.secret, second.secret, first.secret]);
    // Each ciphertext is bound to its slot: swapped by a database writer, neither opens.
    const row = (await rowOf(ctx, ep.id))!;
    await swapSlots(ctx, ep.id, row.olderSecretCiphertext, row.previousSecretCiphertext);
    await expect(signingSecrets(ctx, ep.id)).rejects.toMatchObject({ kind: "credential" });
    await swapSlots(ctx, ep.id, row.previousSecretCiphertext, row.olderSecretCiphertext);
    expect(await signingSecrets(ctx, ep.id)).toEqual([third.secret, second.secret, first.secret]);
  });

  it("refuses a fourth live secret, changing nothing; --grace 0 fits; --force drops the oldest", async () => {
    const ep = await createEndpoint(ctx, base);
    const first = await rotateEndpointSecret(ctx, ep.id, { graceMs: 60 * MIN });
    t.advance(30 * MIN);
    const second = await rotateEndpointSecret(ctx, ep.id, { graceMs: 60 * MIN });
    t.advance(MIN);
    const before = await rowOf(ctx, ep.id);
    const audits = (await rotations(ctx, ep.id)).length;
    const refused = rotateEndpointSecret(ctx, ep.id, { graceMs: MIN });
    await expect(refused).rejects.toMatchObject({ code: "ROTATION_IN_GRACE", kind: "conflict" });
    expect(await rowOf(ctx, ep.id)).toEqual(before);
    expect(await rotations(ctx, ep.id)).toHaveLength(audits);
    expect(await signingSecrets(ctx, ep.id)).toEqual([second.secret, first.secret, ep.secret]);

    // Without a grace the current secret retires at once: no promise is broken, the two stay.
    const now = await rotateEndpointSecret(ctx, ep.id, { graceMs: 0 });
    expect(await signingSecrets(ctx, ep.id)).toEqual([now.secret, first.secret, ep.secret]);

    const forced = await rotateEndpointSecret(ctx, ep.id, { graceMs: 15 * MIN, force: true });
    expect(await signingSecrets(ctx, ep.id)).toEqual([forced.secret, now.secret, first.secret]);
    const last = (await rotations(ctx, ep.id)).at(-1)!;
    const promised = new Date(ctx.now().getTime() + 29 * MIN).toISOString(); // the original secret's hour
    expect(last).toMatchObject({ forced: true, droppedSecretPromisedUntil: promised });
    expect(JSON.stringify(last)).not.toContain("whsec_");
  });

  it("the worker's endpoint cache stops signing with a retired secret at its end, not at the next load", async () => {
    const ep = await createEndpoint(ctx, base);
    const first = await rotateEndpointSecret(ctx, ep.id, { graceMs: 10 * MIN });
    const second = await rotateEndpointSecret(ctx, ep.id, { graceMs: 5 * MIN });
    const at = ctx.now().getTime();
    const config = await new EndpointCache(ctx).get(ep.id);
    expect(secretsAt(config, at)).toEqual([second.secret, first.secret, ep.secret]);
    expect(secretsAt(config, at + 5 * MIN - 1)).toEqual([second.secret, first.secret, ep.secret]);
    expect(secretsAt(config, at + 5 * MIN)).toEqual([second.secret, ep.secret]);
    expect(secretsAt(config, at + 10 * MIN)).toEqual([second.secret]);
  });

  it("counts the older secret's ciphertext under its master key (secrets status, prune-keys)", async () => {
    const ep = await createEndpoint(ctx, base);
    const total = async () => [...(await countByKey(ctx)).values()].reduce((a, b) => a + b, 0);
    const before = await total();
    await rotateEndpointSecret(ctx, ep.id, { graceMs: 60 * MIN });
    await rotateEndpointSecret(ctx, ep.id, { graceMs: 60 * MIN });
    expect(await total()).toBe(before + 2); // one current replaced, a previous and an older one added
  });
});
