import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSql, type SqlClient } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import type { WebhookPruneReport } from "../../src/types/integration/webhook.types.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { intg } from "../helpers/spawn.js";

// `webhooks prune` through bin/intg on a known scenario: endpoint A keeps the default (DAYS_30),
// B is set to 7 days and C to forever with --retention. Ages are set in the database afterwards.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
const DAY = 86_400_000;
const BULK = 2500;
afterAll(() => home.dispose());

async function counts(sql: SqlClient) {
  const n = async (table: string) => Number((await sql.rows(`SELECT COUNT(*) FROM "${table}"`))[0]![0]);
  return {
    events: await n("WebhookEvent"),
    deliveries: await n("WebhookDelivery"),
    attempts: await n("WebhookDeliveryAttempt"),
  };
}

describe.each(PROVIDERS)("webhooks prune through bin/intg on %s", (provider) => {
  it("removes what each endpoint's retention no longer keeps, in batches; --dry-run writes nothing", async () => {
    const db = await tempDb(provider);
    const receiver = await startReceiver();
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url };
    const run = (...args: string[]) => intg(args, { env });
    const ok = async (...args: string[]) => {
      const r = await run(...args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r;
    };
    let sql: SqlClient | undefined;
    try {
      await ok("db", "migrate");
      const ep: Record<string, string> = {};
      for (const name of ["a", "b", "c"])
        ep[name] = (
          JSON.parse(
            (
              await ok(
                "webhooks",
                "endpoints",
                "create",
                "--url",
                receiver.url,
                "--allow-private-network",
                "--events",
                `${name}.*`,
                "--json",
              )
            ).stdout,
          ) as { id: string }
        ).id;
      for (const type of ["a.old", "a.new", "b.old", "b.mid", "c.old"])
        await ok("webhooks", "send", type, "--data", "{}", "--allow-unknown-type");
      await ok("webhooks", "worker", "--once");
      expect(receiver.received).toHaveLength(5);
      await ok("webhooks", "send", "b.pending", "--data", "{}", "--allow-unknown-type");
      await ok("webhooks", "send", "z.none", "--data", "{}", "--allow-unknown-type"); // no endpoint: an event without deliveries
      const bulk = join(home.path, `bulk-${provider}.ndjson`);
      writeFileSync(
        bulk,
        Array.from({ length: BULK }, (_, i) => JSON.stringify({ type: "a.bulk", data: { i } })).join("\n"),
      );
      await ok("webhooks", "send", "--batch-file", bulk, "--allow-unknown-type");

      sql = await openSql(parseDbUrl(db.url, "--db", process.cwd()));
      const now = Date.now();
      // Retention is set through the CLI; A keeps the default.
      expect(
        JSON.parse((await ok("webhooks", "endpoints", "update", ep.b!, "--retention", "7d", "--json")).stdout),
      ).toMatchObject({ retentionPolicy: "DAYS_7" });
      expect(
        JSON.parse((await ok("webhooks", "endpoints", "update", ep.c!, "--retention", "forever", "--json")).stdout),
      ).toMatchObject({ retentionPolicy: "FOREVER", retry: { source: "default" } });
      expect((await run("webhooks", "endpoints", "update", ep.a!, "--retention", "a-while")).code).toBe(2);
      const age = async (type: string, days: number) => {
        const at = new Date(now - days * DAY);
        await sql!.run(`UPDATE "WebhookEvent" SET "createdAt" = ? WHERE "type" = ?`, [at, type]);
        await sql!.run(
          `UPDATE "WebhookDelivery" SET "createdAt" = ? WHERE "eventId" IN (SELECT "id" FROM "WebhookEvent" WHERE "type" = ?)`,
          [at, type],
        );
      };
      for (const [type, days] of [
        ["a.old", 40],
        ["a.new", 10],
        ["b.old", 40],
        ["b.mid", 10],
        ["c.old", 400],
        ["b.pending", 40],
        ["z.none", 10],
        ["a.bulk", 40],
      ] as const)
        await age(type, days);
      await sql.run(
        `UPDATE "WebhookDelivery" SET "status" = 'FAILED' WHERE "eventId" IN (SELECT "id" FROM "WebhookEvent" WHERE "type" = 'a.bulk')`,
      );
      const before = await counts(sql);
      expect(before).toEqual({ events: 7 + BULK, deliveries: 6 + BULK, attempts: 5 });

      // a.old, b.old, b.mid and the bulk go; a.new (30 days), b.pending (PENDING) and c.old (FOREVER) stay.
      const expected = { events: 4 + BULK, deliveries: 3 + BULK, attempts: 3, responseBodies: 3 };
      const dry = JSON.parse((await ok("webhooks", "prune", "--dry-run", "--json")).stdout) as WebhookPruneReport;
      expect(dry).toMatchObject({
        dryRun: true,
        removed: expected,
        orphanEventMaxAgeMs: 7 * DAY,
        policies: { DAYS_7: 7 * DAY, DAYS_30: 30 * DAY, DAYS_90: 90 * DAY, FOREVER: null },
      });
      expect(await counts(sql)).toEqual(before);
      const shorter = JSON.parse(
        (await ok("webhooks", "prune", "--dry-run", "--older-than", "5d", "--json")).stdout,
      ) as WebhookPruneReport;
      expect(shorter.removed).toMatchObject({ deliveries: 4 + BULK, events: 5 + BULK }); // a.new too; still not c.old nor b.pending
      expect(await counts(sql)).toEqual(before);

      const done = JSON.parse((await ok("webhooks", "prune", "--json")).stdout) as WebhookPruneReport;
      expect(done).toMatchObject({ dryRun: false, removed: expected, batches: 6 }); // 1,000 per transaction: 3 of deliveries, 3 of events
      expect(await counts(sql)).toEqual({ events: 3, deliveries: 3, attempts: 2 });
      const left = (
        await sql.rows(
          `SELECT ev."type", d."status" FROM "WebhookDelivery" d JOIN "WebhookEvent" ev ON ev."id" = d."eventId" ORDER BY ev."type"`,
        )
      ).map((r) => `${r[0]}:${r[1]}`);
      expect(left).toEqual(["a.new:DELIVERED", "b.pending:PENDING", "c.old:DELIVERED"]);

      const again = await ok("webhooks", "prune");
      expect(again.stdout).toMatch(/^deliveries\t0$/m);
      for (const bad of [["--older-than", "soon"], ["--older-than", "1s"], ["--bogus"]])
        expect((await run("webhooks", "prune", ...bad)).code, bad.join(" ")).toBe(2);
      expect(await counts(sql)).toEqual({ events: 3, deliveries: 3, attempts: 2 });
    } finally {
      await sql?.close();
      await receiver.close();
      await db.dispose();
    }
  }, 120_000);
});
