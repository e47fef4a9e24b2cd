import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { parseDbUrl } from "../../src/db/url.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { PG_BASE_URL, tempDb, tempDir } from "../helpers/databases.js";
import { BIN, intg } from "../helpers/spawn.js";

// The noisy neighbour: one endpoint answers in 5 s with 2,000 deliveries queued ahead of everything
// else, while nine fast endpoints get 100 events a second between them. The slow one holds at most
// its cap of the worker's lanes (--max-in-flight, default 16), and claims take turns between
// endpoints, so the fast endpoints' events arrive as if the slow one were not there.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
const CAP = 16;
const SLOW_QUEUED = 2_000;
const FAST_ENDPOINTS = 9;
const RATE = 100;
const SECONDS = 5;

afterAll(() => home.dispose());

/** A real receiver that counts the requests it holds open, and notes when each event arrived. */
async function receiver(delayMs: number) {
  const state = { open: 0, mostOpen: 0, arrivals: new Map<string, number>(), url: "" };
  const server: Server = createServer((req, res) => {
    state.open++;
    state.mostOpen = Math.max(state.mostOpen, state.open);
    req.resume();
    req.on("end", () => {
      const id = String(req.headers["webhook-id"]);
      if (!state.arrivals.has(id)) state.arrivals.set(id, Date.now());
      setTimeout(() => res.end("ok"), delayMs);
    });
    res.on("close", () => state.open--);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { state, close: () => new Promise<void>((r) => server.close(() => r()).closeAllConnections()) };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

async function noisyNeighbour(provider: "sqlite" | "postgresql") {
  const db = await tempDb(provider);
  const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ACTOR: "e2e" };
  const ok = async (args: string[]) => {
    const r = await intg(args, { env });
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const slow = await receiver(5_000);
  const fast = await Promise.all(Array.from({ length: FAST_ENDPOINTS }, () => receiver(0)));
  const create = (url: string, events: string) =>
    ok(["webhooks", "endpoints", "create", "--url", url, "--allow-private-network", "--events", events]);
  await ok(["db", "migrate"]);
  await create(slow.state.url, "slow.job");
  for (const [i, r] of fast.entries()) await create(r.state.url, `fast.e${i}`);
  const file = join(home.path, `slow-${provider}.ndjson`);
  writeFileSync(
    file,
    Array.from({ length: SLOW_QUEUED }, (_, n) => JSON.stringify({ type: "slow.job", data: { n } })).join("\n"),
  );
  await ok(["webhooks", "send", "--batch-file", file, "--allow-unknown-type"]);

  const worker = spawn(process.execPath, [BIN, "webhooks", "worker", "--poll", "20ms"], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  worker.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const code = exited(worker);
  const conn = await openDatabase(parseDbUrl(db.url, "--db", home.path), { autoMigrate: false });
  const ctx = { db: conn, sql: conn.sql, now: () => new Date(), actor: "e2e", env: {} };
  try {
    // The slow endpoint has taken all it may: the worker is as busy with it as it will get.
    for (let i = 0; i < 100 && slow.state.open < CAP; i++) await sleep(50);
    expect(slow.state.open).toBe(CAP);
    const created = new Map<string, number>();
    const t0 = performance.now();
    for (let n = 0; n < RATE * SECONDS; n++) {
      const wait = t0 + (n * 1000) / RATE - performance.now();
      if (wait > 0) await sleep(wait);
      const sent = await sendBatch(ctx, {
        events: [{ line: 1, type: `fast.e${n % FAST_ENDPOINTS}`, data: { n }, idempotencyKey: null }],
        allowUnknownType: true,
      });
      const event = sent.events[0]?.event;
      if (event) created.set(event.id, Date.parse(event.createdAt));
    }
    const arrived = () => fast.reduce((sum, r) => sum + r.state.arrivals.size, 0);
    for (let i = 0; i < 100 && arrived() < created.size; i++) await sleep(50);
    const arrivals = new Map(fast.flatMap((r) => [...r.state.arrivals]));
    const latencies = [...created].map(([id, at]) => (arrivals.get(id) ?? Infinity) - at).sort((a, b) => a - b);
    worker.kill("SIGTERM");
    expect(await code, stderr).toBe(130);
    return { latencies, slowMostOpen: slow.state.mostOpen, created: created.size };
  } finally {
    worker.kill("SIGKILL");
    await conn.close();
    await Promise.all([slow, ...fast].map((r) => r.close()));
    await db.dispose();
  }
}

function expectFair(r: Awaited<ReturnType<typeof noisyNeighbour>>) {
  expect(r.created).toBe(RATE * SECONDS);
  expect(r.latencies.at(-1)).toBeLessThan(Infinity); // every fast event arrived
  const p99 = r.latencies[Math.floor(r.latencies.length * 0.99)] as number;
  expect(p99, `p99 ${p99} ms, p50 ${r.latencies[r.latencies.length >> 1]} ms`).toBeLessThan(250);
  expect(r.slowMostOpen).toBe(CAP);
}

describe("webhooks endpoints --max-in-flight", () => {
  it("is a whole number from 1 to 1024, defaults to 16, and update changes it alone", async () => {
    const db = await tempDb("sqlite");
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url };
    try {
      expect((await intg(["db", "migrate"], { env })).code).toBe(0);
      const url = "http://127.0.0.1:9/hooks";
      const create = ["webhooks", "endpoints", "create", "--url", url, "--allow-private-network", "--json"];
      const bad = await intg([...create, "--max-in-flight", "0"], { env });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--max-in-flight");
      expect(JSON.parse((await intg(["webhooks", "endpoints", "list", "--json"], { env })).stdout)).toEqual([]);
      const made = JSON.parse((await intg(create, { env })).stdout);
      expect(made.maxInFlight).toBe(16);
      const updated = await intg(["webhooks", "endpoints", "update", made.id, "--max-in-flight", "4", "--json"], {
        env,
      });
      expect(JSON.parse(updated.stdout)).toMatchObject({ maxInFlight: 4, url });
      const shown = await intg(["webhooks", "endpoints", "show", made.id], { env });
      expect(shown.stdout).toMatch(/max in flight:\t4\n/);
    } finally {
      await db.dispose();
    }
  });
});

describe("webhooks worker: a slow endpoint beside fast ones", () => {
  it("keeps the slow one to its cap and the fast ones' p99 under 250 ms on SQLite", async () => {
    expectFair(await noisyNeighbour("sqlite"));
  }, 60_000);

  it.skipIf(!PG_BASE_URL)(
    "the same on PostgreSQL",
    async () => {
      expectFair(await noisyNeighbour("postgresql"));
    },
    60_000,
  );
});
