// Fairness between endpoints: one endpoint answers in 5 s with 2,000 deliveries queued ahead of
// everything, nine fast endpoints get 100 events/s between them for 10 s, one worker (--poll 20ms).
// Reports the fast endpoints' event-created → received p50/p95/p99 and the most requests the slow
// endpoint had open at once, on SQLite and, when a server is configured, PostgreSQL. The limit is
// the same run without the slow endpoint: what the fast ones get when nothing competes.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BIN, intg, webhookEnv } from "./lib.mjs";
import { tempPostgres } from "./postgres.mjs";

const tools = await import("../dist/dev-tools.cjs");
const RATE = 100;
const SECONDS = Number(process.env.BENCH_FAIRNESS_SECONDS ?? 10);
const FAST = 9;

async function receiver(delayMs) {
  const s = { open: 0, mostOpen: 0, arrivals: new Map() };
  const server = createServer((req, res) => {
    s.open++;
    s.mostOpen = Math.max(s.mostOpen, s.open);
    req.resume();
    req.on("end", () => {
      const id = String(req.headers["webhook-id"]);
      if (!s.arrivals.has(id)) s.arrivals.set(id, Date.now());
      setTimeout(() => res.end("ok"), delayMs);
    });
    res.on("close", () => s.open--);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  s.url = `http://127.0.0.1:${server.address().port}/hook`;
  s.close = () => new Promise((r) => server.close(r).closeAllConnections());
  return s;
}

async function run(url, dir, withSlow) {
  const env = webhookEnv(url, dir);
  intg(["db", "migrate"], env);
  const slow = await receiver(5_000);
  const fast = await Promise.all(Array.from({ length: FAST }, () => receiver(0)));
  const create = (u, events) =>
    intg(["webhooks", "endpoints", "create", "--url", u, "--allow-private-network", "--events", events], env);
  fast.forEach((r, i) => create(r.url, `fast.e${i}`));
  if (withSlow) {
    create(slow.url, "slow.job");
    const file = join(dir, "slow.ndjson");
    writeFileSync(
      file,
      Array.from({ length: 2000 }, (_, n) => JSON.stringify({ type: "slow.job", data: { n } })).join("\n"),
    );
    intg(["webhooks", "send", "--batch-file", file, "--allow-unknown-type"], env);
  }
  const worker = spawn(process.execPath, [BIN, "webhooks", "worker", "--poll", "20ms"], { env, stdio: "ignore" });
  const db = await tools.openDatabase(tools.parseDbUrl(url, "--db", dir), { autoMigrate: false });
  const ctx = { db, sql: db.sql, now: () => new Date(), actor: "bench", env: {} };
  try {
    await sleep(1_000); // the worker is up, and busy with the slow endpoint when there is one
    const created = new Map();
    const t0 = performance.now();
    for (let n = 0; n < RATE * SECONDS; n++) {
      const wait = t0 + (n * 1000) / RATE - performance.now();
      if (wait > 0) await sleep(wait);
      const sent = await tools.sendBatch(ctx, {
        events: [{ line: 1, type: `fast.e${n % FAST}`, data: { n }, idempotencyKey: null }],
        allowUnknownType: true,
      });
      const e = sent.events[0].event;
      created.set(e.id, Date.parse(e.createdAt));
    }
    const arrived = () => fast.reduce((sum, r) => sum + r.arrivals.size, 0);
    for (let i = 0; i < 200 && arrived() < created.size; i++) await sleep(50);
    const arrivals = new Map(fast.flatMap((r) => [...r.arrivals]));
    const ms = [...created].map(([id, at]) => (arrivals.get(id) ?? Infinity) - at).sort((a, b) => a - b);
    const q = (p) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))];
    return { p50: q(50), p95: q(95), p99: q(99), slowMostOpen: slow.mostOpen };
  } finally {
    worker.kill("SIGKILL");
    await db.close();
    await Promise.all([slow, ...fast].map((r) => r.close()));
  }
}

export async function fairness() {
  const dir = mkdtempSync(join(tmpdir(), "intg-bench-"));
  const rows = [];
  const row = async (provider, url, alone) => {
    const crowded = await run(url, dir, true);
    const quiet = await run(alone, dir, false);
    rows.push({
      figure: `fast endpoints' event → received beside a 5 s endpoint (2,000 queued, held ${crowded.slowMostOpen} open), ${provider}`,
      project: `p50 ${crowded.p50} / p95 ${crowded.p95} / p99 ${crowded.p99}`,
      limit: `p99 ${quiet.p99}`,
      unit: "ms",
      limitName: "the same without the slow endpoint",
      ratio: null,
      target: "p99 < 250 ms, ≤ 16 open",
    });
  };
  try {
    await row("SQLite", `file:${join(dir, "crowded.db")}`, `file:${join(dir, "quiet.db")}`);
    const [a, b] = [await tempPostgres(), await tempPostgres()];
    if (a && b) {
      try {
        await row("PostgreSQL", a.url, b.url);
      } finally {
        await Promise.all([a.drop(), b.drop()]);
      }
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
