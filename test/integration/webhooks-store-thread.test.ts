import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSql } from "../../src/db/sql.js";
import { PACKAGE_ROOT } from "../../src/lib/package-root.js";
import type { ServiceContext } from "../../src/services/context.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { encodeAttempts } from "../../src/services/webhooks/worker/record.js";
import { threadStore } from "../../src/services/webhooks/worker/store-thread.js";
import { PG_BASE_URL } from "../helpers/databases.js";
import { finishedAttempt, webhookBed, type WebhookBed } from "../helpers/webhook-bed.js";

// The store thread on PostgreSQL claims on a connection of its own: a claim does not wait for the
// batch being recorded (on one connection it queued behind it, and the lanes ran dry meanwhile).

const STORE_FILE = join(PACKAGE_ROOT, "dist", "webhook-store.cjs");
const DAY = 86_400_000;

// Skipped, not empty, without PostgreSQL: a file with no suite fails the README's `npm test`.
describe.skipIf(!PG_BASE_URL).each(["postgresql" as const])("the store thread on %s", (provider) => {
  let bed: WebhookBed;
  let ctx: ServiceContext;
  beforeEach(async () => {
    bed = await webhookBed(provider);
    ({ ctx } = bed);
  });
  afterEach(() => bed.dispose());

  it("answers a claim while a batch's record waits for a lock", async () => {
    const { ep } = await bed.endpoint();
    await sendBatch(ctx, {
      events: [1, 2].map((n) => ({ line: n, type: "invoice.paid", data: { n }, idempotencyKey: null })),
      allowUnknownType: true,
    });
    const store = await threadStore(ctx.db.target, STORE_FILE, ctx.env);
    const other = await openSql(ctx.db.target);
    let release!: () => void;
    try {
      const now = ctx.now();
      const first = await store.claim("w1", now, 60_000, 1);
      expect(first.items).toHaveLength(1);
      const c = first.items[0]!;
      // Another session holds the endpoint's row: the record's update of it waits.
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const held = other.transaction(async (tx) => {
        await tx.all(`SELECT "id" FROM "WebhookEndpoint" WHERE "id" = ? FOR UPDATE`, [ep.id]);
        locked();
        await new Promise<void>((r) => (release = r));
      });
      await isLocked;
      const attempt = encodeAttempts([
        finishedAttempt(c, now, {
          result: { statusCode: 200, headers: {}, body: "ok", error: null, timedOut: false, durationMs: 1 },
          outcome: { kind: "delivered" },
        }),
      ]);
      const recorded = store.record("w1", attempt, now, 5 * DAY);
      const second = store.claim("w1", now, 60_000, 1);
      const late = new Promise<"late">((r) => setTimeout(() => r("late"), 3_000).unref());
      const answer = await Promise.race([second, late]);
      expect(answer).not.toBe("late");
      expect(answer).toMatchObject({ items: [{ endpointId: ep.id }] });
      release();
      await held;
      expect(await recorded).toEqual([]);
    } finally {
      release?.();
      await other.close();
      await store.close();
    }
  });
});
