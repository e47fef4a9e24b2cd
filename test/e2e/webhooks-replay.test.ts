import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { openSql } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { intg } from "../helpers/spawn.js";

// Replay after an outage, through bin/intg: 10,000 deliveries fail while the receiver answers
// 500, then one replay (planned with --dry-run, applied with --plan-hash) sends each exactly once
// more with its original webhook-id, and the same plan hash is refused the second time.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
const N = 10_000;

afterAll(() => home.dispose());

describe.each(PROVIDERS)("webhooks replay through bin/intg on %s", (provider) => {
  it("re-sends 10,000 failed deliveries once each after an outage; a stale plan hash is refused", async () => {
    const db = await tempDb(provider);
    let down = true;
    const receiver = await startReceiver({ respond: () => ({ status: down ? 500 : 200 }), strict: true });
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url };
    const run = (args: string[]) => intg(args, { env });
    const ok = async (args: string[]) => {
      const r = await run(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r;
    };
    try {
      await ok(["db", "migrate"]);
      const created = await ok([
        "webhooks",
        "endpoints",
        "create",
        "--url",
        receiver.url,
        "--allow-private-network",
        "--retry-schedule",
        "100ms",
        "--json",
      ]);
      const endpoint = JSON.parse(created.stdout) as { id: string; secret: string };
      receiver.secrets = [endpoint.secret];
      const file = join(home.path, `replay-${provider}.ndjson`);
      writeFileSync(
        file,
        Array.from({ length: N }, (_, i) => JSON.stringify({ type: "order.created", data: { n: i } })).join("\n"),
      );
      await ok(["webhooks", "send", "--batch-file", file, "--allow-unknown-type"]);
      await ok(["webhooks", "worker", "--once"]);
      await sleep(150);
      await ok(["webhooks", "worker", "--once"]); // the second and last attempt: every delivery is FAILED now
      expect(receiver.received).toHaveLength(2 * N);

      down = false;
      const filter = ["webhooks", "replay", "--endpoint", endpoint.id, "--status", "failed", "--since", "1h"];
      const plan = JSON.parse((await ok([...filter, "--dry-run", "--json"])).stdout) as {
        planHash: string;
        pairs: unknown[];
      };
      expect(plan.pairs).toHaveLength(N);
      expect(receiver.received).toHaveLength(2 * N); // a dry run sends nothing

      const applied = await ok([...filter, "--plan-hash", plan.planHash]);
      expect(applied.stderr).toContain(`Replayed ${N}: ${N} delivered, 0 failed`);
      const after = receiver.received.slice(2 * N);
      expect(after).toHaveLength(N);
      expect(after.every((r) => r.valid)).toBe(true);
      expect(new Set(after.map((r) => r.id)).size).toBe(N);
      expect([...receiver.counts.values()].every((c) => c === 3)).toBe(true); // same webhook-id: two failures, one replay

      const sql = await openSql(parseDbUrl(db.url, "--db", process.cwd()));
      try {
        const byTrigger = await sql.all<{ trigger: string; n: unknown }>(
          `SELECT "trigger", COUNT(*) AS "n" FROM "WebhookDeliveryAttempt" GROUP BY "trigger" ORDER BY "trigger"`,
        );
        expect(byTrigger.map((r) => [r.trigger, Number(r.n)])).toEqual([
          ["manual", N],
          ["scheduled", 2 * N],
        ]);
        const statuses = await sql.all<{ status: string; n: unknown }>(
          `SELECT "status", COUNT(*) AS "n" FROM "WebhookDelivery" GROUP BY "status"`,
        );
        expect(statuses.map((r) => [r.status, Number(r.n)])).toEqual([["DELIVERED", N]]);
      } finally {
        await sql.close();
      }

      const again = await run([...filter, "--plan-hash", plan.planHash, "--json"]);
      expect(again.code).toBe(6);
      expect(JSON.parse(again.stderr)).toMatchObject({ error: { code: "PLAN_CHANGED" } });
      expect(receiver.received).toHaveLength(3 * N);
    } finally {
      await receiver.close();
      await db.dispose();
    }
  }, 180_000);

  it("refuses a replay without a target, a filter without a window, and a malformed plan hash, with exit 2", async () => {
    const db = await tempDb(provider);
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url };
    try {
      expect((await intg(["db", "migrate"], { env })).code).toBe(0);
      for (const args of [
        [],
        ["--status", "failed"],
        ["--endpoint", "ep_1", "--since", "soon"],
        ["dlv_1", "--event", "evt_1"],
        ["--event", "evt_1", "--plan-hash", "xyz"],
        ["--event", "evt_1", "--routing", "sideways"],
      ]) {
        const r = await intg(["webhooks", "replay", ...args], { env });
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stderr).not.toBe("");
      }
      expect((await intg(["webhooks", "replay", "dlv_missing"], { env })).code).toBe(5);
    } finally {
      await db.dispose();
    }
  }, 60_000);
});
