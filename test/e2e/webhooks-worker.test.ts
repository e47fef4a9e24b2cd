import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { openSql } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PG_BASE_URL, PROVIDERS, tempDb, tempDir, type TempDb } from "../helpers/databases.js";
import { startReceiver, type Answer, type Receiver } from "../helpers/receiver.js";
import { BIN, intg } from "../helpers/spawn.js";

// The delivery engine through bin/intg: real worker processes, real receivers that verify every
// signature with the standardwebhooks package, on SQLite and (when configured) PostgreSQL.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
const SCHEDULE = "100ms,200ms,300ms,400ms,500ms,500ms,500ms";

async function setup(provider: "sqlite" | "postgresql") {
  const db: TempDb = await tempDb(provider);
  const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ACTOR: "e2e" };
  const ok = async (args: string[], input?: string) => {
    const r = await intg(args, { env, input });
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r;
  };
  await ok(["db", "migrate"]);
  await ok(["webhooks", "event-types", "create", "order.created"]);
  const receivers: Receiver[] = [];
  const endpoint = async (respond?: (r: { id: string; nth: number }) => Answer) => {
    const receiver = await startReceiver({ respond, strict: true });
    receivers.push(receiver);
    receiver.secrets = [
      (
        await ok([
          "webhooks",
          "endpoints",
          "create",
          "--url",
          receiver.url,
          "--allow-private-network",
          "--retry-schedule",
          SCHEDULE,
        ])
      ).stdout.trim(),
    ];
    return receiver;
  };
  const send = async (n: number) => {
    const file = join(home.path, `batch-${Date.now()}.ndjson`);
    writeFileSync(
      file,
      Array.from({ length: n }, (_, i) => JSON.stringify({ type: "order.created", data: { n: i } })).join("\n"),
    );
    await ok(["webhooks", "send", "--batch-file", file, "--json"]);
  };
  const statuses = async () => {
    const sql = await openSql(parseDbUrl(db.url, "--db", process.cwd()));
    try {
      const rows = await sql.all<{ status: string; n: unknown }>(
        `SELECT "status", COUNT(*) AS "n" FROM "WebhookDelivery" GROUP BY "status"`,
      );
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    } finally {
      await sql.close();
    }
  };
  const worker = (args: string[]): ChildProcess =>
    spawn(process.execPath, [BIN, "webhooks", "worker", ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
  const dispose = async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await db.dispose();
  };
  return { env, ok, endpoint, send, statuses, worker, dispose };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
// About 30% of messages fail with 500, each at most twice, so every one gets through in the schedule.
const flaky = (r: { id: string; nth: number }): Answer => ({
  status: r.nth <= 2 && parseInt(r.id.slice(-2), 36) % 10 < 3 ? 500 : 200,
});

afterAll(() => home.dispose());

describe.each(PROVIDERS)("webhooks worker through bin/intg on %s", (provider) => {
  it("delivers 1,000 events to three endpoints (one failing 30%, one slow), every signature valid", async () => {
    const s = await setup(provider);
    try {
      const [plain, failing, slow] = [
        await s.endpoint(),
        await s.endpoint(flaky),
        await s.endpoint(() => ({ status: 200, delayMs: 30 })),
      ];
      await s.send(1000);
      const lines: { outcome: string; statusCode: number | null }[] = [];
      for (let i = 0; i < 30 && (await s.statuses()).DELIVERED !== 3000; i++) {
        const r = await s.ok(["webhooks", "worker", "--once", "--json"]);
        lines.push(
          ...r.stdout
            .trim()
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l)),
        );
        await sleep(150);
      }
      expect(await s.statuses()).toEqual({ DELIVERED: 3000 });
      for (const r of [plain, failing, slow]) {
        expect(new Set(r.received.map((x) => x.id)).size).toBe(1000);
        expect(r.received.every((x) => x.valid)).toBe(true);
      }
      expect(plain.received).toHaveLength(1000);
      expect(failing.received.length).toBeGreaterThan(1300);
      expect(lines.filter((l) => l.outcome === "retry" && l.statusCode === 500).length).toBe(
        failing.received.length - 1000,
      );
      expect(lines.filter((l) => l.outcome === "delivered")).toHaveLength(3000);
    } finally {
      await s.dispose();
    }
  }, 60_000);

  it("keeps delivering when the reader of its --json lines goes away, and exits 0 with every attempt recorded", async () => {
    // The first line it could not write ended it, exit 0, with its claimed deliveries left SENDING.
    const s = await setup(provider);
    try {
      const receiver = await s.endpoint(() => ({ status: 200, delayMs: 5 }));
      await s.send(300);
      const w = s.worker(["--once", "--json", "--concurrency", "4"]);
      let stderr = "";
      w.stderr!.on("data", (d) => (stderr += d));
      w.stdout!.once("data", () => w.stdout!.destroy()); // the reader reads a line and leaves
      expect(await exited(w), stderr).toBe(0);
      expect(await s.statuses()).toEqual({ DELIVERED: 300 });
      expect(receiver.received).toHaveLength(300);
    } finally {
      await s.dispose();
    }
  });

  it("says on SIGTERM that it waits for the attempts in flight, then records them and exits 130", async () => {
    const s = await setup(provider);
    try {
      const receiver = await s.endpoint(() => ({ status: 200, delayMs: 1_500 }));
      await s.send(1);
      const w = s.worker(["--poll", "50ms"]);
      let stderr = "";
      w.stderr!.on("data", (d) => (stderr += d));
      for (let i = 0; i < 200 && receiver.received.length === 0; i++) await sleep(25);
      w.kill("SIGTERM");
      await sleep(300);
      expect(stderr).toContain("Stopping: the attempts in flight finish first"); // said at once, not after
      expect(await exited(w), stderr).toBe(130);
      expect(await s.statuses()).toEqual({ DELIVERED: 1 });
    } finally {
      await s.dispose();
    }
  });

  it("loses nothing when a worker is killed with SIGKILL mid-run, again and again", async () => {
    const s = await setup(provider);
    try {
      const receiver = await s.endpoint(() => ({ status: 200, delayMs: 50 }));
      await s.send(1000);
      for (let kill = 0; kill < 4; kill++) {
        const child = s.worker(["--lease", "1s", "--poll", "50ms", "--concurrency", "8"]);
        await sleep(800 + kill * 150);
        child.kill("SIGKILL");
        await exited(child);
      }
      expect(new Set(receiver.received.map((r) => r.id)).size).toBeLessThan(1000); // it was killed mid-run
      // A last worker picks up what the dead ones had leased once their leases expire; SIGTERM stops it gracefully.
      const last = s.worker(["--lease", "1s", "--poll", "50ms"]);
      let stderr = "";
      last.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      for (let i = 0; i < 100 && (await s.statuses()).DELIVERED !== 1000; i++) await sleep(200);
      last.kill("SIGTERM");
      expect(await exited(last)).toBe(130);
      expect(stderr).toMatch(/attempt\(s\) in/);
      expect(await s.statuses()).toEqual({ DELIVERED: 1000 });
      expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1000);
      expect(receiver.received.every((r) => r.valid)).toBe(true);
    } finally {
      await s.dispose();
    }
  }, 60_000);
});

// Several workers on one PostgreSQL database is the deployment at scale (DESIGN §4).
if (PG_BASE_URL) {
  describe("4 webhooks workers on one PostgreSQL database", () => {
    it("never sends an attempt twice", async () => {
      const s = await setup("postgresql");
      try {
        const receivers = [await s.endpoint(), await s.endpoint(() => ({ status: 200, delayMs: 5 }))];
        await s.send(1000);
        const workers = Array.from({ length: 4 }, () => s.worker(["--once", "--concurrency", "16"]));
        const summaries = workers.map((w) => {
          let text = "";
          w.stderr!.setEncoding("utf8").on("data", (d: string) => (text += d));
          return () => Number(/(\d+) attempt\(s\)/.exec(text)?.[1]);
        });
        expect(await Promise.all(workers.map(exited))).toEqual([0, 0, 0, 0]);
        // The workers' own counts add up to one attempt per delivery, as the receivers' do.
        expect(summaries.reduce((sum, n) => sum + n(), 0)).toBe(2000);
        expect(await s.statuses()).toEqual({ DELIVERED: 2000 });
        // One request per delivery: no webhook-id reached a receiver twice.
        for (const r of receivers) {
          expect(r.received).toHaveLength(1000);
          expect(new Set(r.received.map((x) => x.id)).size).toBe(1000);
        }
      } finally {
        await s.dispose();
      }
    }, 60_000);
  });
}

// The worker opens its store thread while the CLI opens the database; a database that does not
// exist yet (the embedded default's first use) is created and migrated before the thread opens it.
describe("webhooks worker on the embedded default", () => {
  it("creates and migrates the database on first use, then drains it; a missing database file is refused", async () => {
    const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "first-use"), INTG_MASTER_KEY: KEY };
    const first = await intg(["webhooks", "worker", "--once"], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(home.path, "first-use", "intg", "intg.db"))).toBe(true);
    expect(first.stderr).toContain("0 attempt(s)");
    const status = JSON.parse((await intg(["db", "status", "--json"], { env })).stdout);
    expect(status).toMatchObject({ pending: [], upToDate: true });
    const missing = await intg(
      ["webhooks", "worker", "--once", "--db", `file:${join(home.path, "nowhere", "none.db")}`],
      { env },
    );
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });
});
