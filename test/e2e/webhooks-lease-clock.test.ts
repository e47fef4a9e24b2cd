import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import type { WebhookDeliveryInfo } from "../../src/types/integration/webhook.types.js";
import { PG_BASE_URL, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { BIN, intg } from "../helpers/spawn.js";

// Workers on several machines share leases, retry times and rate-limit clocks in one PostgreSQL
// database: each takes its times on the database's clock, not its own. Workers run with their
// clocks moved (helpers/clock-shift.cjs). (SQLite's file is on the workers' own machine: one clock.)

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
const SHIFT = fileURLToPath(new URL("../helpers/clock-shift.cjs", import.meta.url));
const MIN = 60_000;
afterAll(() => home.dispose());

interface Bed {
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  /** The environment of an intg process whose clock runs `shiftMs` ahead. */
  env: (shiftMs?: number) => Record<string, string>;
  ok: (args: string[], shiftMs?: number) => Promise<{ code: number | null; stdout: string; stderr: string }>;
  worker: (...flags: string[]) => ChildProcess;
  inFlight: (n: number) => Promise<void>;
}

describe.skipIf(!PG_BASE_URL)("a worker whose clock is off, on PostgreSQL", () => {
  /** A database, a receiver answering as `respond` says, and an endpoint to it, for `body`; torn down after. */
  const withBed = async (respond: Parameters<typeof startReceiver>[0], body: (bed: Bed) => Promise<void>) => {
    const db = await tempDb("postgresql");
    const receiver = await startReceiver(respond);
    const base = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ACTOR: "e2e" };
    const env = (shiftMs = 0) => ({ ...base, NODE_OPTIONS: `--require ${SHIFT}`, TEST_CLOCK_SHIFT_MS: `${shiftMs}` });
    const ok = async (args: string[], shiftMs = 0) => {
      const r = await intg(args, { env: env(shiftMs) });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r;
    };
    await ok(["db", "migrate"]);
    await ok(["webhooks", "endpoints", "create", "--url", receiver.url, "--allow-private-network"]);
    const children: ChildProcess[] = [];
    /** A worker kept running, on time. */
    const worker = (...flags: string[]) => {
      const child = spawn(process.execPath, [BIN, "webhooks", "worker", "--poll", "50ms", ...flags], {
        env: { PATH: process.env.PATH ?? "", ...env() },
        stdio: "ignore",
      });
      children.push(child);
      return child;
    };
    /** `n` events sent, and a worker on time holding all of them in flight under a lease of a minute. */
    const inFlight = async (n: number) => {
      for (let i = 0; i < n; i++) await ok(["webhooks", "send", "t.x", "--data", `{"i":${i}}`, "--allow-unknown-type"]);
      worker("--lease", "60s");
      for (let i = 0; i < 200 && receiver.received.length < n; i++) await sleep(50);
      expect(receiver.received.length).toBe(n);
    };
    try {
      await body({ receiver, env, ok, worker, inFlight });
    } finally {
      for (const c of children) c.kill("SIGKILL");
      await receiver.close();
      await db.dispose();
    }
  };

  it("10 minutes fast, takes none of the leases another worker holds", async () => {
    // Every request hangs 3 s at the receiver: the first worker holds its leases (60 s) meanwhile.
    await withBed({ respond: () => ({ status: 200, delayMs: 3_000 }) }, async ({ receiver, ok, inFlight }) => {
      await inFlight(4); // all four leased to the first worker

      // By its clock, the first worker's leases ran out 9 minutes ago; by the database's, not for a minute.
      const fast = await ok(["webhooks", "worker", "--once"], 10 * MIN);
      expect(fast.stderr).toContain("0 attempt(s)");
      for (let i = 0; i < 200 && receiver.received.filter((r) => r.nth === 1).length < 4; i++) await sleep(50);
      await sleep(500);
      expect([...receiver.counts.values()]).toEqual([1, 1, 1, 1]); // each sent once
    });
  }, 60_000);

  it("an operator 10 minutes fast sees live leases live: health, doctor and disable leave them", async () => {
    await withBed({ respond: () => ({ status: 200, delayMs: 3_000 }) }, async ({ env, ok, inFlight }) => {
      await inFlight(2);
      const [ep] = JSON.parse((await ok(["webhooks", "endpoints", "list", "--json"])).stdout) as { id: string }[];

      const health = await intg(["webhooks", "health", "--json"], { env: env(10 * MIN) });
      const [report] = JSON.parse(health.stdout) as { violations: { threshold: string }[] }[];
      expect(report!.violations.map((v) => v.threshold)).not.toContain("stalled_sending");
      const doctor = await intg(["doctor", "--json"], { env: env(10 * MIN) });
      expect(doctor.stdout).toContain("webhook-backlog"); // the check ran
      expect(doctor.stdout).not.toContain("expired lease");
      const disabled = await ok(["webhooks", "endpoints", "disable", ep!.id, "--yes"], 10 * MIN);
      expect(disabled.stdout + disabled.stderr).toContain("0 pending deliveries cancelled");
    });
  }, 60_000);

  it("a replay 10 minutes slow holds its deliveries from a worker until it sends them", async () => {
    // 40 deliveries, a lane, 50 ms each: the last wait ~2 s for their turn, held by the replay's
    // first lease, while a worker looks for expired leases every second.
    await withBed({ respond: () => ({ status: 200, delayMs: 50 }) }, async ({ receiver, ok, worker }) => {
      const file = `${home.path}/replay-${Date.now()}.ndjson`;
      const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ type: "t.x", data: { i } }));
      writeFileSync(file, lines.join("\n"));
      await ok(["webhooks", "send", "--batch-file", file, "--allow-unknown-type"]);
      expect((await ok(["webhooks", "worker", "--once"])).stderr).toContain("40 delivered");
      worker();
      await sleep(500); // the worker is up and looking
      // A window by the real clock: by the replay's own, these events are 10 minutes ahead.
      const window = [
        "--since",
        new Date(Date.now() - MIN).toISOString(),
        "--until",
        new Date(Date.now() + MIN).toISOString(),
      ];
      const again = ["webhooks", "replay", "--status", "delivered", "--include-delivered", ...window];
      const replayed = await ok([...again, "--concurrency", "1"], -10 * MIN);
      expect(replayed.stderr).toContain("Replayed 40: 40 delivered, 0 failed.");
      expect([...receiver.counts.values()]).toEqual(Array(40).fill(2)); // once by the worker, once replayed
    });
  }, 60_000);

  it("sent from a machine 10 minutes fast, is due at once", async () => {
    await withBed({ respond: () => ({ status: 200 }) }, async ({ receiver, ok }) => {
      await ok(["webhooks", "send", "t.x", "--data", "{}", "--allow-unknown-type"], 10 * MIN);
      expect((await ok(["webhooks", "worker", "--once"])).stderr).toContain("1 attempt(s)");
      expect(receiver.received).toHaveLength(1);
    });
  }, 60_000);

  it("10 minutes slow, schedules a retry by the database's clock", async () => {
    await withBed({ respond: () => ({ status: 500 }) }, async ({ receiver, ok }) => {
      await ok(["webhooks", "send", "t.x", "--data", "{}", "--allow-unknown-type"]);
      expect((await ok(["webhooks", "worker", "--once"], -10 * MIN)).stderr).toContain("1 attempt(s)");
      const [d] = JSON.parse((await ok(["webhooks", "deliveries", "list", "--json"])).stdout) as WebhookDeliveryInfo[];
      // The first retry waits 5 s, jittered by ±20%: from now, not from 10 minutes ago.
      const wait = Date.parse(d!.nextAttemptAt!) - Date.now();
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThan(10_000);
      // Not due yet: a worker on time finds nothing to send.
      expect((await ok(["webhooks", "worker", "--once"])).stderr).toContain("0 attempt(s)");
      expect(receiver.received).toHaveLength(1);
    });
  }, 60_000);
});
