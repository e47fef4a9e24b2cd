import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, UsageError } from "../../src/errors.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { signatureHeaders } from "../../src/lib/webhook-signing.js";
import type { ServiceContext } from "../../src/services/context.js";
import { rotateMasterKey } from "../../src/services/secrets/rotate-master-key.js";
import { setSecret } from "../../src/services/secrets/set.js";
import { createEndpoint } from "../../src/services/webhooks/create-endpoint.js";
import { listDeliveries, showDelivery } from "../../src/services/webhooks/deliveries.js";
import { deleteEndpoint } from "../../src/services/webhooks/delete-endpoint.js";
import type { EndpointInput } from "../../src/services/webhooks/endpoint-input.js";
import { DEFAULT_SCHEDULE_MS, listEndpoints, showEndpoint } from "../../src/services/webhooks/endpoint-rows.js";
import { signingSecrets } from "../../src/services/webhooks/endpoint-secret.js";
import { createEventType, listEventTypes } from "../../src/services/webhooks/event-types.js";
import { rotateEndpointSecret } from "../../src/services/webhooks/rotate-secret.js";
import { sendBatch, sendEvent } from "../../src/services/webhooks/send.js";
import { setEndpointEnabled, updateEndpoint } from "../../src/services/webhooks/update-endpoint.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

const HOUR = 3_600_000;
const b64 = (k: { bytes: Buffer }) => k.bytes.toString("base64");
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

async function auditActions(ctx: ServiceContext, targetId: string): Promise<string[]> {
  return (
    await ctx.sql.all<{ action: string }>(`SELECT "action" FROM "AuditEvent" WHERE "targetId" = ? ORDER BY "seq"`, [
      targetId,
    ])
  ).map((r) => r.action);
}
const count = async (ctx: ServiceContext, table: string) =>
  Number((await ctx.sql.get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "${table}"`))!.n);

describe.each(PROVIDERS)("webhooks on %s", (provider) => {
  const KEY = generateMasterKey();
  let t: TestServices;
  let ctx: ServiceContext;
  beforeAll(async () => {
    t = await testServices(provider);
    ctx = { ...t.ctx, env: { INTG_MASTER_KEY: b64(KEY) } };
    await createEventType(ctx, { name: "invoice.paid", description: "Paid", schema: { type: "object" } });
    await createEventType(ctx, { name: "customer.created", description: null, schema: null });
  });
  afterAll(async () => t?.dispose());

  it("creates an endpoint with an encrypted secret shown once, and updates, disables, enables it with audit events", async () => {
    const created = await createEndpoint(ctx, {
      ...base,
      eventFilter: ["invoice.*"],
      headers: { "X-Team": "billing" },
    });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created).toMatchObject({
      enabled: true,
      allowPrivateNetwork: true,
      retry: { scheduleMs: DEFAULT_SCHEDULE_MS, source: "default" },
    });
    const row = await ctx.sql.get<Record<string, unknown>>(`SELECT * FROM "WebhookEndpoint" WHERE "id" = ?`, [
      created.id,
    ]);
    expect(JSON.stringify(row)).not.toContain(created.secret.slice(6));
    expect(JSON.stringify(row)).not.toContain("billing"); // header values are sealed too
    expect(String(row!.secretCiphertext)).toMatch(new RegExp(`^v1\\.${KEY.id}\\.`));
    const shown = await showEndpoint(ctx, created.id);
    expect(shown).not.toHaveProperty("secret");
    expect(JSON.stringify(await listEndpoints(ctx))).not.toContain(created.secret);
    expect(await signingSecrets(ctx, created.id)).toEqual([created.secret]);

    const updated = await updateEndpoint(ctx, created.id, {
      retryScheduleMs: [0, 5000],
      rateLimitPerSecond: 50,
      description: "billing",
    });
    expect(updated).toMatchObject({
      rateLimitPerSecond: 50,
      description: "billing",
      retry: { scheduleMs: [0, 5000], source: "endpoint" },
      headers: { "X-Team": "[redacted]" },
    });
    await expect(updateEndpoint(ctx, created.id, { allowPrivateNetwork: false })).rejects.toMatchObject({
      code: "PRIVATE_ADDRESS",
    });
    expect((await showEndpoint(ctx, created.id)).allowPrivateNetwork).toBe(true);

    await sendEvent(ctx, { type: "invoice.paid", data: { n: 1 }, idempotencyKey: null, allowUnknownType: false });
    const disabled = await setEndpointEnabled(ctx, created.id, false, "maintenance");
    expect(disabled).toMatchObject({
      cancelledDeliveries: 1,
      endpoint: { enabled: false, disabledReason: "maintenance" },
    });
    expect((await listDeliveries(ctx, { endpointId: created.id }))[0]!.status).toBe("CANCELLED");
    await expect(setEndpointEnabled(ctx, created.id, false)).rejects.toBeInstanceOf(ConflictError);
    expect((await setEndpointEnabled(ctx, created.id, true)).endpoint.enabled).toBe(true);
    expect(await auditActions(ctx, created.id)).toEqual([
      "endpoint.create",
      "endpoint.update",
      "endpoint.disable",
      "endpoint.enable",
    ]);
    const audit = await ctx.sql.get<{ metadata: unknown }>(
      `SELECT "metadata" FROM "AuditEvent" WHERE "targetId" = ? AND "action" = 'endpoint.create'`,
      [created.id],
    );
    expect(JSON.stringify(audit!.metadata)).not.toContain('billing"'); // header values stay out of the log
  });

  it("refuses a private address without permission, writing nothing", async () => {
    const before = await count(ctx, "WebhookEndpoint");
    await expect(
      createEndpoint(ctx, { ...base, url: "http://localhost:8080/", allowPrivateNetwork: false }),
    ).rejects.toBeInstanceOf(UsageError);
    await expect(
      createEndpoint(ctx, { ...base, url: "ftp://93.184.216.34/", allowPrivateNetwork: false }),
    ).rejects.toBeInstanceOf(UsageError);
    expect(await count(ctx, "WebhookEndpoint")).toBe(before);
    const allowed = await createEndpoint(
      { ...ctx, env: { ...ctx.env, INTG_ALLOW_PRIVATE_NETWORKS: "1" } },
      { ...base, allowPrivateNetwork: false },
    );
    await deleteEndpoint(ctx, allowed.id);
  });

  it("rotates a secret: both sign during the grace, only the new one after; both verify with standardwebhooks", async () => {
    const ep = await createEndpoint(ctx, base);
    const rotated = await rotateEndpointSecret(ctx, ep.id, { graceMs: 24 * HOUR });
    expect(rotated.secret).not.toBe(ep.secret);
    expect(rotated.previousSecretExpiresAt).toBe(new Date(ctx.now().getTime() + 24 * HOUR).toISOString());
    const secrets = await signingSecrets(ctx, ep.id);
    expect(secrets).toEqual([rotated.secret, ep.secret]);
    const body = '{"type":"invoice.paid","timestamp":"2026-01-15T12:00:00.000Z","data":{}}';
    const headers = signatureHeaders(secrets, "evt_X", Math.floor(Date.now() / 1000), body);
    for (const s of [ep.secret, rotated.secret])
      expect(new Webhook(s).verify(body, { ...headers })).toEqual(JSON.parse(body));
    t.advance(25 * HOUR);
    expect(await signingSecrets(ctx, ep.id)).toEqual([rotated.secret]);
    expect(await auditActions(ctx, ep.id)).toEqual(["endpoint.create", "endpoint.rotate_secret"]);
    const dry = await deleteEndpoint(ctx, ep.id, { dryRun: true });
    expect(dry).toMatchObject({ deleted: false, dryRun: true });
    expect((await deleteEndpoint(ctx, ep.id)).deleted).toBe(true);
    await expect(showEndpoint(ctx, ep.id)).rejects.toMatchObject({ code: "ENDPOINT_NOT_FOUND" });
    expect(await auditActions(ctx, ep.id)).toEqual(["endpoint.create", "endpoint.rotate_secret", "endpoint.delete"]);
  });

  it("sends: the envelope bytes are stored, filters match per segment, idempotency keys dedupe, unknown types are refused", async () => {
    await ctx.sql.run(`DELETE FROM "WebhookEndpoint"`);
    const invoices = await createEndpoint(ctx, { ...base, eventFilter: ["invoice.*"] });
    const all = await createEndpoint(ctx, base);
    const customers = await createEndpoint(ctx, { ...base, eventFilter: ["customer.created", "invoice.paid.late"] });
    const off = await createEndpoint(ctx, base);
    await setEndpointEnabled(ctx, off.id, false);

    const sent = await sendEvent(ctx, {
      type: "invoice.paid",
      data: { amount: 5, text: "é" },
      idempotencyKey: "k-1",
      allowUnknownType: false,
    });
    expect(sent.deliveriesQueued).toBe(2);
    const event = sent.events[0]!.event;
    expect(event).toMatchObject({
      type: "invoice.paid",
      idempotencyKey: "k-1",
      deliveryCount: 2,
      payload: { type: "invoice.paid", data: { amount: 5, text: "é" } },
    });
    const stored = await ctx.sql.get<{ payload: string }>(`SELECT "payload" FROM "WebhookEvent" WHERE "id" = ?`, [
      event.id,
    ]);
    expect(stored!.payload).toBe(
      `{"type":"invoice.paid","timestamp":"${event.timestamp}","data":{"amount":5,"text":"é"}}`,
    );
    const deliveries = await listDeliveries(ctx, { eventId: event.id });
    expect(deliveries.map((d) => d.endpointId).sort()).toEqual([invoices.id, all.id].sort());
    expect(deliveries.every((d) => d.status === "PENDING" && d.nextAttemptAt === ctx.now().toISOString())).toBe(true);
    const debug = await showDelivery(ctx, deliveries[0]!.id);
    expect(debug.body).toBe(stored!.payload);
    expect(debug.attempts).toEqual([]);

    // The same key with the same data (keys in another order) returns the first event; with other data or type, exit 6.
    const again = await sendEvent(ctx, {
      type: "invoice.paid",
      data: { text: "é", amount: 5 },
      idempotencyKey: "k-1",
      allowUnknownType: false,
    });
    expect(again).toMatchObject({ deliveriesQueued: 0, events: [{ created: false, event: { id: event.id } }] });
    const before = [await count(ctx, "WebhookEvent"), await count(ctx, "WebhookDelivery")];
    const changed = sendEvent(ctx, {
      type: "invoice.paid",
      data: { other: true },
      idempotencyKey: "k-1",
      allowUnknownType: false,
    });
    await expect(changed).rejects.toBeInstanceOf(ConflictError);
    await expect(changed).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
      kind: "conflict",
      message: expect.stringContaining(event.id),
    });
    const retyped = sendEvent(ctx, {
      type: "customer.created",
      data: { amount: 5, text: "é" },
      idempotencyKey: "k-1",
      allowUnknownType: false,
    });
    await expect(retyped).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
      message: expect.stringMatching(new RegExp(`${event.id}.*type \\(invoice\\.paid\\)`)),
    });
    expect([await count(ctx, "WebhookEvent"), await count(ctx, "WebhookDelivery")]).toEqual(before);
    const customer = await sendEvent(ctx, {
      type: "customer.created",
      data: null,
      idempotencyKey: null,
      allowUnknownType: false,
    });
    expect(
      (await listDeliveries(ctx, { eventId: customer.events[0]!.event.id })).map((d) => d.endpointId).sort(),
    ).toEqual([all.id, customers.id].sort());

    const events = await count(ctx, "WebhookEvent");
    await expect(
      sendEvent(ctx, { type: "order.shipped", data: {}, idempotencyKey: null, allowUnknownType: false }),
    ).rejects.toMatchObject({ code: "UNKNOWN_EVENT_TYPE" });
    expect(await count(ctx, "WebhookEvent")).toBe(events);
    expect(
      (await sendEvent(ctx, { type: "order.shipped", data: {}, idempotencyKey: null, allowUnknownType: true }))
        .deliveriesQueued,
    ).toBe(1);
    expect((await listEventTypes(ctx)).map((e) => e.name)).toEqual(["customer.created", "invoice.paid"]);
  });

  it("sends a batch in one transaction; a bad line writes nothing", async () => {
    const [events, deliveries] = [await count(ctx, "WebhookEvent"), await count(ctx, "WebhookDelivery")];
    const bad = {
      allowUnknownType: false,
      events: [
        { line: 1, type: "invoice.paid", data: { n: 1 }, idempotencyKey: "b-1" },
        { line: 3, type: "nope.unknown", data: 2, idempotencyKey: null },
      ],
    };
    await expect(sendBatch(ctx, bad)).rejects.toThrow(/line 3/);
    await expect(
      sendBatch(ctx, {
        ...bad,
        events: [bad.events[0]!, { line: 2, type: "Bad Type", data: 1, idempotencyKey: null }],
      }),
    ).rejects.toThrow(/line 2/);
    expect([await count(ctx, "WebhookEvent"), await count(ctx, "WebhookDelivery")]).toEqual([events, deliveries]);
    const ok = await sendBatch(ctx, { ...bad, allowUnknownType: true });
    expect(ok.events.map((e) => e.created)).toEqual([true, true]);
    expect(await count(ctx, "WebhookEvent")).toBe(events + 2);
    // A line reusing a key with other data, whether the key is in the database or earlier in the batch: nothing written.
    // invoice.paid's schema wants an object.
    const reuse = (line: number, key: string, n: number) => ({
      line,
      type: "invoice.paid",
      data: { n },
      idempotencyKey: key,
    });
    const first = ok.events[0]!.event.id;
    await expect(
      sendBatch(ctx, { allowUnknownType: false, events: [reuse(1, "b-2", 1), reuse(2, "b-1", 9)] }),
    ).rejects.toMatchObject({ kind: "conflict", message: expect.stringMatching(new RegExp(`^line 2: .*${first}`)) });
    await expect(
      sendBatch(ctx, { allowUnknownType: false, events: [reuse(1, "b-3", 1), reuse(4, "b-3", 2)] }),
    ).rejects.toMatchObject({ kind: "conflict", message: expect.stringMatching(/^line 4: idempotency key "b-3"/) });
    expect(await count(ctx, "WebhookEvent")).toBe(events + 2);
    const same = await sendBatch(ctx, {
      allowUnknownType: false,
      events: [reuse(1, "b-1", 1), reuse(2, "b-4", 3), reuse(3, "b-4", 3)],
    });
    expect(same.events.map((e) => e.created)).toEqual([false, true, false]);
    expect(same.events[0]!.event.id).toBe(first);
  });

  it("re-encrypts endpoint secrets (current, previous and older) on a master-key rotation, resumably", async () => {
    const eps = [await createEndpoint(ctx, base), await createEndpoint(ctx, base), await createEndpoint(ctx, base)];
    const first = await rotateEndpointSecret(ctx, eps[0]!.id, { graceMs: 24 * HOUR });
    const rotated = await rotateEndpointSecret(ctx, eps[0]!.id, { graceMs: 12 * HOUR }); // the first retired secret becomes the older one
    await rotateEndpointSecret(ctx, eps[2]!.id, { graceMs: 0 });
    await setSecret(ctx, { name: "alongside", tokenType: "BEARER_TOKEN", value: "v" });
    const NEW = generateMasterKey();
    const during: ServiceContext = { ...ctx, env: { INTG_MASTER_KEY: b64(NEW), INTG_PREVIOUS_MASTER_KEYS: b64(KEY) } };
    // A crash after the first committed batch, then a second run that finishes.
    await expect(
      rotateMasterKey(during, {
        batchSize: 1,
        onProgress: ({ done }) => {
          if (done > 1) throw new Error("crash");
        },
      }),
    ).rejects.toThrow("crash");
    const result = await rotateMasterKey(during, { batchSize: 2 });
    expect(result.remaining).toBe(0);
    const rows = await ctx.sql.all<{
      secretCiphertext: string;
      previousSecretCiphertext: string | null;
      olderSecretCiphertext: string | null;
    }>(`SELECT "secretCiphertext","previousSecretCiphertext","olderSecretCiphertext" FROM "WebhookEndpoint"`);
    expect(rows.filter((r) => r.olderSecretCiphertext !== null)).toHaveLength(1);
    for (const r of rows) {
      expect(r.secretCiphertext.startsWith(`v1.${NEW.id}.`)).toBe(true);
      if (r.previousSecretCiphertext) expect(r.previousSecretCiphertext.startsWith(`v1.${NEW.id}.`)).toBe(true);
      if (r.olderSecretCiphertext) expect(r.olderSecretCiphertext.startsWith(`v1.${NEW.id}.`)).toBe(true);
    }
    // Only the new key from now on: every slot opens under it.
    const after: ServiceContext = { ...ctx, env: { INTG_MASTER_KEY: b64(NEW) } };
    expect(await signingSecrets(after, eps[0]!.id)).toEqual([rotated.secret, first.secret, eps[0]!.secret]);
    expect(await signingSecrets(after, eps[1]!.id)).toEqual([eps[1]!.secret]);
  });
});
