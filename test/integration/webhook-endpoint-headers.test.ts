import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { col } from "../../src/db/sql.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import type { ServiceContext } from "../../src/services/context.js";
import { rotateMasterKey } from "../../src/services/secrets/rotate-master-key.js";
import { secretsStatus } from "../../src/services/secrets/status.js";
import { endpointHeaders } from "../../src/services/webhooks/endpoint-headers.js";
import { listEndpoints, showEndpoint } from "../../src/services/webhooks/endpoint-rows.js";
import { exportDeliveries } from "../../src/services/webhooks/export/export.js";
import { checkHealth } from "../../src/services/webhooks/health/check.js";
import { sendEvent } from "../../src/services/webhooks/send.js";
import { updateEndpoint } from "../../src/services/webhooks/update-endpoint.js";
import { runWorker } from "../../src/services/webhooks/worker/run.js";
import type { WebhookExportRecord } from "../../src/types/integration/webhook.types.js";
import { PROVIDERS } from "../helpers/databases.js";
import { webhookBed, type WebhookBed } from "../helpers/webhook-bed.js";

// Endpoint header values at rest: sealed under the master key, bound to their endpoint, shown
// nowhere, sent as they are, re-sealed by a master-key rotation; older plaintext rows still work
// and are sealed by their next write or by the rotation.
const TOKEN = "Bearer hdr-7f3a9c1e5b2d";
const once = { concurrency: 2, once: true, maxTimeMs: null, leaseMs: 60_000, disableAfterMs: 86_400_000, pollMs: 50 };
const b64 = (k: { bytes: Buffer }) => k.bytes.toString("base64");
const headersColumn = async (ctx: ServiceContext, id: string) =>
  (await ctx.sql.get<{ headers: unknown }>(`SELECT "headers" FROM "WebhookEndpoint" WHERE "id" = ?`, [id]))!.headers;
const everything = async (ctx: ServiceContext) => {
  const tables = ["WebhookEndpoint", "WebhookDeliveryAttempt", "WebhookDelivery", "AuditEvent"];
  return JSON.stringify(await Promise.all(tables.map((t) => ctx.sql.all(`SELECT * FROM "${t}"`))));
};

describe.each(PROVIDERS)("endpoint headers on %s", (provider) => {
  let bed: WebhookBed;
  let ctx: ServiceContext;
  beforeEach(async () => {
    bed = await webhookBed(provider);
    ctx = bed.ctx;
  });
  afterEach(async () => bed.dispose());

  it("seals the values bound to the endpoint, redacts them everywhere, and still sends and pings with them", async () => {
    const { receiver, ep } = await bed.endpoint(undefined, { headers: { Authorization: TOKEN, "X-Team": "billing" } });
    const stored = col.json<{ names: string[]; sealed: string }>(await headersColumn(ctx, ep.id));
    expect(stored.names).toEqual(["Authorization", "X-Team"]);
    expect(stored.sealed).toMatch(/^v1\.[0-9a-f]{16}\./);
    expect(ep.headers).toEqual({ Authorization: "[redacted]", "X-Team": "[redacted]" });
    expect(await showEndpoint(ctx, ep.id)).toMatchObject({
      headers: { Authorization: "[redacted]", "X-Team": "[redacted]" },
    });
    expect(await endpointHeaders(ctx, ep.id)).toEqual({ Authorization: TOKEN, "X-Team": "billing" });

    await sendEvent(ctx, { type: "invoice.paid", data: { n: 1 }, idempotencyKey: null, allowUnknownType: true });
    await runWorker(ctx, once);
    expect(receiver.received.map((r) => [r.valid, r.headers.authorization, r.headers["x-team"]])).toEqual([
      [true, TOKEN, "billing"],
    ]);
    await checkHealth(ctx, {
      endpointId: ep.id,
      since: new Date(0),
      ping: true,
      maxFailureRate: 1,
      maxP95Ms: 60_000,
      maxBacklogAgeMs: 3_600_000,
    });
    expect(receiver.received.at(-1)!.headers.authorization).toBe(TOKEN); // the ping carries them too

    const records: WebhookExportRecord[] = [];
    await exportDeliveries(
      ctx,
      { endpointId: ep.id, eventId: null, status: null, since: null, until: null },
      (r) => void records.push(r),
    );
    expect(records[0]!.headers).not.toHaveProperty("Authorization");
    expect(records[0]!.endpointHeaderNames).toEqual(["Authorization", "X-Team"]);
    const withHeaders: WebhookExportRecord[] = [];
    await exportDeliveries(
      ctx,
      { endpointId: ep.id, eventId: null, status: null, since: null, until: null },
      (r) => void withHeaders.push(r),
      { withEndpointHeaders: true },
    );
    expect(withHeaders[0]!.headers).toMatchObject({ Authorization: TOKEN, "X-Team": "billing" });

    const rows = await everything(ctx);
    expect(rows).not.toContain("hdr-7f3a9c1e5b2d");
    expect(rows).not.toContain("billing");
    expect(JSON.stringify([await listEndpoints(ctx), records])).not.toContain("hdr-7f3a9c1e5b2d");
  });

  it("refuses an envelope moved to another endpoint (exit 4), before anything is sent", async () => {
    const { ep: a } = await bed.endpoint(undefined, { headers: { Authorization: TOKEN } });
    const { receiver, ep: b } = await bed.endpoint(undefined, { headers: { Authorization: "Bearer other" } });
    await ctx.sql.run(
      `UPDATE "WebhookEndpoint" SET "headers" = (SELECT "headers" FROM "WebhookEndpoint" WHERE "id" = ?) WHERE "id" = ?`,
      [a.id, b.id],
    );
    await expect(endpointHeaders(ctx, b.id)).rejects.toMatchObject({ code: "CIPHERTEXT_INVALID", kind: "credential" });
    await sendEvent(ctx, { type: "invoice.paid", data: { n: 1 }, idempotencyKey: null, allowUnknownType: true });
    await runWorker(ctx, once).catch(() => undefined);
    expect(receiver.received.map((r) => r.headers.authorization)).not.toContain(TOKEN);
  });

  it("reads an older plaintext row, seals it on the next write (its old attempts redacted), and keeps later changes sealed", async () => {
    const { receiver, ep } = await bed.endpoint();
    const { ep: other } = await bed.endpoint();
    await ctx.sql.run(`UPDATE "WebhookEndpoint" SET "headers" = ? WHERE "id" = ?`, [
      { Authorization: TOKEN, "X.Dotted": "d-1" },
      ep.id,
    ]);
    expect((await showEndpoint(ctx, ep.id)).headers).toEqual({ Authorization: "[redacted]", "X.Dotted": "[redacted]" });
    await sendEvent(ctx, { type: "invoice.paid", data: { n: 1 }, idempotencyKey: null, allowUnknownType: true });
    await runWorker(ctx, once);
    expect(receiver.received.map((r) => r.headers.authorization)).toEqual([TOKEN]);
    // Attempts recorded before headers were sealed held the values as sent: make two such rows.
    const attempts = `SELECT "endpointId", "requestHeaders" FROM "WebhookDeliveryAttempt" ORDER BY "endpointId"`;
    for (const id of [ep.id, other.id]) {
      await ctx.sql.run(`UPDATE "WebhookDeliveryAttempt" SET "requestHeaders" = ? WHERE "endpointId" = ?`, [
        { Authorization: TOKEN, "X.Dotted": "d-1", "webhook-id": "evt_1" },
        id,
      ]);
    }

    await updateEndpoint(ctx, ep.id, { description: "any write" });
    expect(JSON.stringify(await headersColumn(ctx, ep.id))).not.toContain("hdr-7f3a9c1e5b2d");
    const after = (await ctx.sql.all<{ endpointId: string; requestHeaders: unknown }>(attempts)).map((a) => [
      a.endpointId,
      col.json(a.requestHeaders),
    ]);
    expect(after).toContainEqual([
      ep.id,
      { Authorization: "[redacted]", "X.Dotted": "[redacted]", "webhook-id": "evt_1" },
    ]);
    expect(after).toContainEqual([other.id, { Authorization: TOKEN, "X.Dotted": "d-1", "webhook-id": "evt_1" }]); // another endpoint's rows alone
    expect(await endpointHeaders(ctx, ep.id)).toEqual({ Authorization: TOKEN, "X.Dotted": "d-1" });
    await updateEndpoint(ctx, ep.id, { headers: { "X-Api-Key": "k-99" } });
    expect(await endpointHeaders(ctx, ep.id)).toEqual({ "X-Api-Key": "k-99" });
    await updateEndpoint(ctx, ep.id, { headers: null });
    expect(await headersColumn(ctx, ep.id)).toBeNull();
  });

  it("re-seals them on a master-key rotation (and seals older plaintext rows); status counts them", async () => {
    const KEY = ctx.env.INTG_MASTER_KEY!;
    const { ep: sealed } = await bed.endpoint(undefined, { headers: { Authorization: TOKEN } });
    const { ep: legacy } = await bed.endpoint();
    await ctx.sql.run(`UPDATE "WebhookEndpoint" SET "headers" = ? WHERE "id" = ?`, [
      { "X-Legacy": "plain-4411" },
      legacy.id,
    ]);
    await sendEvent(ctx, { type: "invoice.paid", data: { n: 1 }, idempotencyKey: null, allowUnknownType: true });
    await runWorker(ctx, once);
    const recorded = `SELECT "requestHeaders" FROM "WebhookDeliveryAttempt" WHERE "endpointId" = ?`;
    expect(JSON.stringify(await ctx.sql.all(recorded, [legacy.id]))).toContain("[redacted]"); // the worker redacts even these
    // As an attempt recorded before headers were sealed held it:
    await ctx.sql.run(`UPDATE "WebhookDeliveryAttempt" SET "requestHeaders" = ? WHERE "endpointId" = ?`, [
      { "X-Legacy": "plain-4411" },
      legacy.id,
    ]);
    const oldId = (await secretsStatus(ctx)).currentKeyId!;
    // Two signing secrets and one sealed header set; the plaintext row is under no key yet.
    expect((await secretsStatus(ctx)).keys).toEqual([expect.objectContaining({ masterKeyId: oldId, secrets: 3 })]);
    const NEW = generateMasterKey();
    const during: ServiceContext = { ...ctx, env: { INTG_MASTER_KEY: b64(NEW), INTG_PREVIOUS_MASTER_KEYS: KEY } };
    await expect(
      rotateMasterKey(during, {
        batchSize: 1,
        onProgress: ({ done }) => {
          if (done > 1) throw new Error("crash");
        },
      }),
    ).rejects.toThrow("crash");
    expect((await rotateMasterKey(during, { batchSize: 1 })).remaining).toBe(0);
    const after: ServiceContext = { ...ctx, env: { INTG_MASTER_KEY: b64(NEW) } };
    for (const id of [sealed.id, legacy.id])
      expect(col.json<{ sealed: string }>(await headersColumn(ctx, id)).sealed.startsWith(`v1.${NEW.id}.`)).toBe(true);
    expect(await endpointHeaders(after, sealed.id)).toEqual({ Authorization: TOKEN });
    expect(await endpointHeaders(after, legacy.id)).toEqual({ "X-Legacy": "plain-4411" });
    expect((await secretsStatus(after)).keys).toEqual([
      expect.objectContaining({ masterKeyId: NEW.id, secrets: 4, current: true }),
    ]);
    expect(await everything(ctx)).not.toContain("plain-4411"); // the endpoint and its attempts
    expect(JSON.stringify(await ctx.sql.all(recorded, [legacy.id]))).toContain("[redacted]");
  });
});
