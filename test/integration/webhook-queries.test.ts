import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.js";
import { DeliveryStatus } from "../../src/db/generated/kysely/enums.js";
import { jsonText, typed } from "../../src/db/kysely.js";
import { applyPendingMigrations } from "../../src/db/migrations.js";
import { redactAttemptHeader } from "../../src/db/queries/webhook-delivery-attempt.js";
import { deliveryBacklog, stalledDeliveries } from "../../src/db/queries/webhook-delivery/backlog.js";
import { endpointSecretKeyCounts, insertEndpointRow } from "../../src/db/queries/webhook-endpoint.js";
import { insertEventRow } from "../../src/db/queries/webhook-event.js";
import { parseDbUrl } from "../../src/db/url.js";
import { PROVIDERS, tempDb, type TempDb } from "../helpers/databases.js";

// The webhook tables' per-table modules where the providers differ: an aggregate's date (SQLite
// returns it as text: it has no declared type), SUBSTR grouped on PostgreSQL, and JSON edits in place.
describe.each(PROVIDERS)("webhook statements on %s", (provider) => {
  let temp: TempDb;
  let db: Database;
  const at = new Date("2026-04-05T06:07:08.009Z");
  const later = new Date(at.getTime() + 60_000);

  beforeAll(async () => {
    temp = await tempDb(provider);
    const target = parseDbUrl(temp.url, "--db", process.cwd());
    await applyPendingMigrations(target);
    db = await openDatabase(target, { autoMigrate: false });
    const k = typed(db.sql);
    const key = (id: string) => `v1.${id.repeat(16)}.sealed`;
    const endpoint = (id: string, current: string, previous: string | null) =>
      insertEndpointRow(k, {
        id,
        url: "https://example.test/h",
        eventFilter: jsonText([]),
        secretCiphertext: key(current),
        previousSecretCiphertext: previous && key(previous),
        updatedAt: at,
      });
    await endpoint("ep_a", "a", "b");
    await endpoint("ep_b", "a", null);
    for (const id of ["evt_1", "evt_2", "evt_3"]) {
      await insertEventRow(k, { id, type: "order.created", idempotencyKey: null, payload: "{}", now: at });
    }
    const delivery = (n: number, status: DeliveryStatus, createdAt: Date, leaseExpiresAt: Date | null) => {
      const row = { id: `dlv_${n}`, eventId: `evt_${n}`, endpointId: "ep_a", status, leaseExpiresAt };
      return k
        .insertInto("WebhookDelivery")
        .values({ ...row, createdAt, updatedAt: createdAt })
        .execute();
    };
    await delivery(1, DeliveryStatus.PENDING, later, null);
    await delivery(2, DeliveryStatus.SENDING, at, at);
    await delivery(3, DeliveryStatus.DELIVERED, new Date(at.getTime() - 1000), null);
  });
  afterAll(async () => {
    await db?.close();
    await temp?.dispose();
  });

  it("reads MIN of a date column as a Date", async () => {
    const backlog = await deliveryBacklog(typed(db.sql), "ep_a");
    expect(backlog).toEqual({ n: 2, oldest: at });
    expect(backlog.oldest).toBeInstanceOf(Date);
    expect(await stalledDeliveries(typed(db.sql), "ep_a", later)).toEqual({ n: 1, since: at });
    expect(await stalledDeliveries(typed(db.sql), "ep_b", later)).toEqual({ n: 0, since: null });
  });

  it("counts signing secrets per master key read off the envelope, over every column", async () => {
    const counts = await endpointSecretKeyCounts(typed(db.sql));
    const byKey = new Map<string, number>();
    for (const r of counts) byKey.set(r.masterKeyId, (byKey.get(r.masterKeyId) ?? 0) + r.n);
    expect(Object.fromEntries(byKey)).toEqual({ ["a".repeat(16)]: 2, ["b".repeat(16)]: 1 });
  });

  it("redacts a dotted header name in attempts in place, only where present and not yet redacted", async () => {
    const k = typed(db.sql);
    const attempt = (id: string, requestHeaders: Record<string, string>) =>
      k
        .insertInto("WebhookDeliveryAttempt")
        .values({
          id,
          deliveryId: "dlv_3",
          endpointId: "ep_a",
          attemptNumber: 1,
          trigger: "schedule",
          startedAt: at,
          durationMs: 5,
          succeeded: true,
          requestHeaders: jsonText(requestHeaders),
        })
        .execute();
    await attempt("att_1", { "x.team": "secret", other: "kept" });
    await attempt("att_2", { "x.team": "[redacted]" });
    await attempt("att_3", { other: "kept" });
    expect(await redactAttemptHeader(k, "ep_a", "x.team", "[redacted]")).toBe(1);
    const rows = await k.selectFrom("WebhookDeliveryAttempt").select(["id", "requestHeaders"]).orderBy("id").execute();
    expect(rows).toEqual([
      { id: "att_1", requestHeaders: { "x.team": "[redacted]", other: "kept" } },
      { id: "att_2", requestHeaders: { "x.team": "[redacted]" } },
      { id: "att_3", requestHeaders: { other: "kept" } },
    ]);
  });
});
