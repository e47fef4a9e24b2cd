import { describe, expect, it } from "vitest";
import { deleteEndpoint } from "../../src/services/webhooks/delete-endpoint.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { runWorker } from "../../src/services/webhooks/worker/run.js";
import { PROVIDERS } from "../helpers/databases.js";
import { webhookBed } from "../helpers/webhook-bed.js";

// An attempt's endpointId has no foreign key of its own (one was checked, and its endpoint row
// locked, for every attempt recorded): its delivery's holds it. Deleting an endpoint still leaves
// none of its attempts, and an attempt still cannot name a delivery that does not exist.

const count = async (sql: { get<T>(q: string, p?: unknown[]): Promise<T | undefined> }, endpointId: string) =>
  Number(
    (await sql.get<{ n: unknown }>(`SELECT count(*) AS "n" FROM "WebhookDeliveryAttempt" WHERE "endpointId" = ?`, [
      endpointId,
    ]))!.n,
  );

describe.each(PROVIDERS)("attempts go with their endpoint (%s)", (provider) => {
  it("deleting an endpoint deletes its deliveries' attempts; an attempt of no delivery is refused", async () => {
    const bed = await webhookBed(provider);
    try {
      const { ep } = await bed.endpoint();
      const { ep: other } = await bed.endpoint();
      const events = Array.from({ length: 3 }, (_, i) => ({
        line: i + 1,
        type: "a.b",
        data: { i },
        idempotencyKey: null,
      }));
      await sendBatch(bed.ctx, { events, allowUnknownType: true });
      const options = { concurrency: 4, once: true, maxTimeMs: null, leaseMs: 60_000, disableAfterMs: 86_400_000 };
      expect((await runWorker(bed.ctx, { ...options, pollMs: 20 })).delivered).toBe(6);
      expect(await count(bed.ctx.sql, ep.id)).toBe(3);
      expect((await deleteEndpoint(bed.ctx, ep.id)).deleted).toBe(true);
      expect(await count(bed.ctx.sql, ep.id)).toBe(0);
      expect(await count(bed.ctx.sql, other.id)).toBe(3); // the other endpoint's are left alone
      const insert = `INSERT INTO "WebhookDeliveryAttempt" ("id", "deliveryId", "endpointId", "attemptNumber",
        "trigger", "startedAt", "durationMs", "succeeded") VALUES ('att_x', 'dlv_none', ?, 1, 'manual', ?, 0, ?)`;
      const at = provider === "sqlite" ? "2026-01-01T00:00:00.000+00:00" : new Date();
      await expect(bed.ctx.sql.run(insert, [other.id, at, provider === "sqlite" ? 0 : false])).rejects.toThrow(
        /foreign key/i,
      );
    } finally {
      await bed.dispose();
    }
  });
});
