// Webhooks, three figures:
// - end-to-end deliveries per second of one `intg webhooks worker --once` process (claim, sign,
//   POST, every attempt persisted) on SQLite, and on PostgreSQL when a server is configured,
//   against bare undici POSTs with the same concurrency and body to the same receiver, which runs
//   in a process of its own. The worker's figure is its whole process, start-up included; a
//   second row gives a worker kept running (warm), so the two show what start-up and the JIT's
//   warm-up cost. On PostgreSQL, two worker processes on the same queue against one, in the same run.
// - `webhooks replay` of 10,000 deliveries (a filtered replay, applied) against the worker's own
//   rate on 10,000 fresh ones, alternating, in the same run; both whole processes.
// - latency from an event's creation to its arrival at the receiver, p50/p95/p99, with events
//   sent through intg's own send service at a fixed 200 per second to a running worker.
// The endpoints allow as many requests in flight as the worker has lanes (--max-in-flight, default
// 16), so the worker meets bare undici at the same concurrency.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent } from "undici";
import { BIN, intg, median, webhookEnv } from "./lib.mjs";
import { tempPostgres } from "./postgres.mjs";

const tools = await import("../dist/dev-tools.cjs");
const N = Number(process.env.BENCH_DELIVERIES ?? 20_000);
// Bare undici's rate swings by a third from round to round on this machine: the throughput rows
// take the median of five rounds; the replay row, slower per round, of three.
const ROUNDS = Number(process.env.BENCH_WEBHOOK_ROUNDS ?? 5);
const REPLAY_ROUNDS = Number(process.env.BENCH_REPLAY_ROUNDS ?? 3);
const CONCURRENCY = 64;
const CAP = ["--max-in-flight", String(CONCURRENCY)];
const RATE = 200;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
const POLL = "20ms";

// The receiver answers 200 to every POST once it has read the body, as a real one would. With
// LOG set it writes "<webhook-id> <arrival ms>" per request, for the latency figure. It also counts
// the requests that carry a webhook-id (bare undici's carry none): at every N-th since the last
// POST to /reset it writes "batch <ms from the first to the N-th>", for the warm worker's figure.
const RECEIVER = `const log = process.env.LOG === "1"; const n = Number(process.env.BATCH);
let seen = 0, first = 0;
require("node:http").createServer((q, s) => { q.resume(); q.on("end", () => {
  if (q.url === "/reset") seen = 0;
  else if (q.headers["webhook-id"]) {
    if (seen++ === 0) first = performance.now();
    if (seen === n) { process.stdout.write("batch " + (performance.now() - first) + "\\n"); seen = 0; }
  }
  if (log) process.stdout.write(q.headers["webhook-id"] + " " + Date.now() + "\\n");
  s.writeHead(200, { "content-type": "text/plain" }); s.end("ok"); }); })
  .listen(0, "127.0.0.1", function () { process.stdout.write("port " + this.address().port + "\\n"); });`;

function startReceiver(log = false) {
  const child = spawn(process.execPath, ["-e", RECEIVER], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, LOG: log ? "1" : "0", BATCH: String(N) },
  });
  const arrivals = new Map();
  let onBatch = () => {};
  let buffered = "";
  return new Promise((resolve) => {
    child.stdout.on("data", (d) => {
      buffered += d;
      const lines = buffered.split("\n");
      buffered = lines.pop();
      for (const line of lines) {
        const [a, b] = line.split(" ");
        if (a === "port") {
          const url = `http://127.0.0.1:${b}/hook`;
          resolve({
            url,
            arrivals,
            /** Counting starts again from the next request with a webhook-id. */
            reset: async () => void (await fetch(new URL("/reset", url), { method: "POST" })).text(),
            /** Milliseconds from the first to the N-th request of the next batch. */
            nextBatch: () => new Promise((done) => (onBatch = done)),
            stop: () => child.kill(),
          });
        } else if (a === "batch") onBatch(Number(b));
        else if (!arrivals.has(a)) arrivals.set(a, Number(b));
      }
    });
  });
}

async function bareUndici(url, body) {
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  const target = new URL(url);
  let next = 0;
  const start = process.hrtime.bigint();
  const lane = async () => {
    while (next++ < N) {
      const res = await agent.request({
        origin: target.origin,
        path: target.pathname,
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const rate = N / (Number(process.hrtime.bigint() - start) / 1e9);
  await agent.close();
  return rate;
}

const DATA = { id: "ord_123", amount: 4200, currency: "EUR", customer: { id: "cus_1", email: "a@example.com" } };

/** One `intg webhooks worker` process at the bench's concurrency; `ended` gives its exit status and stderr. */
function startWorker(env, flags) {
  const child = spawn(process.execPath, [BIN, "webhooks", "worker", "--concurrency", String(CONCURRENCY), ...flags], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const ended = new Promise((resolve) => child.on("close", (status) => resolve({ status, stderr })));
  return { ended, stop: () => child.kill("SIGTERM") };
}

// `count` worker processes started together on the queued batch; deliveries per second until the
// last one exits (whole processes, start-up included).
async function workers(count, env) {
  const start = process.hrtime.bigint();
  const runs = await Promise.all(Array.from({ length: count }, () => startWorker(env, ["--once"]).ended));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // The summary line, the last "<n> delivered" of each worker's stderr.
  const deliveredBy = (text) => Number([...text.matchAll(/(\d+) delivered/g)].at(-1)?.[1] ?? 0);
  const delivered = runs.reduce((sum, r) => sum + deliveredBy(r.stderr), 0);
  if (runs.some((r) => r.status !== 0) || delivered !== N)
    throw new Error(`worker: ${runs.map((r) => r.stderr).join("\n")}`);
  return N / seconds;
}

/**
 * One worker process left running (--poll 20ms) and fed a batch per round; each round's rate is
 * the receiver's, from the batch's first request to its N-th. The first round is not counted: it
 * is the worker's warm-up. What the whole-process figure pays that this one does not is the
 * process's start-up, the JIT compiling its hot code, and its stop.
 */
async function warmWorker(env, receiver, batch) {
  const worker = startWorker(env, ["--poll", POLL]);
  const died = worker.ended.then((r) => Promise.reject(new Error(`warm worker stopped: ${r.stderr}`)));
  died.catch(() => undefined);
  try {
    const rates = [];
    for (let round = 0; round <= ROUNDS; round++) {
      await receiver.reset();
      const arrived = receiver.nextBatch();
      intg(["webhooks", "send", "--batch-file", batch, "--allow-unknown-type"], env);
      const ms = await Promise.race([arrived, died]);
      if (round > 0) rates.push(N / (ms / 1000));
    }
    return median(rates);
  } finally {
    worker.stop();
    await worker.ended;
  }
}

/** `pairs`: also two workers on the same database, against one (the claim's scaling). */
async function throughput(provider, url, dir, pairs = false) {
  const receiver = await startReceiver();
  const env = webhookEnv(url, dir);
  try {
    intg(["db", "migrate"], env);
    intg(["webhooks", "endpoints", "create", "--url", receiver.url, "--allow-private-network", ...CAP], env);
    const batch = join(dir, "batch.ndjson");
    writeFileSync(
      batch,
      Array.from({ length: N }, (_, i) => JSON.stringify({ type: "order.created", data: { ...DATA, n: i } })).join(
        "\n",
      ),
    );
    const body = JSON.stringify({
      type: "order.created",
      timestamp: new Date().toISOString(),
      data: { ...DATA, n: 1 },
    });
    const project = [];
    const limit = [];
    const pair = [];
    await bareUndici(receiver.url, body); // warm both sides
    for (let round = 0; round < ROUNDS; round++) {
      intg(["webhooks", "send", "--batch-file", batch, "--allow-unknown-type"], env);
      limit.push(await bareUndici(receiver.url, body));
      project.push(await workers(1, env));
      if (!pairs) continue;
      intg(["webhooks", "send", "--batch-file", batch, "--allow-unknown-type"], env);
      pair.push(await workers(2, env));
    }
    const p = median(project);
    const l = median(limit);
    const warm = await warmWorker(env, receiver, batch);
    const rows = [
      {
        figure: `webhook deliveries/s, 1 worker on ${provider} (${N.toLocaleString("en")} x ${ROUNDS})`,
        project: p.toFixed(0),
        limit: l.toFixed(0),
        unit: "/s",
        limitName: `bare undici POSTs, ${CONCURRENCY} in flight`,
        ratio: p / l,
        target: provider === "SQLite" ? "≥ 0.45x" : "≥ 0.35x",
      },
      {
        figure: `… the same worker kept running, first to last arrival of each batch (x ${ROUNDS} after one)`,
        project: warm.toFixed(0),
        limit: l.toFixed(0),
        unit: "/s",
        limitName: `bare undici POSTs, ${CONCURRENCY} in flight`,
        ratio: warm / l,
        target: "report",
      },
    ];
    if (pairs) {
      const two = median(pair);
      rows.push({
        figure: `webhook deliveries/s, 2 workers on one ${provider} database (${N.toLocaleString("en")} x ${ROUNDS})`,
        project: two.toFixed(0),
        limit: p.toFixed(0),
        unit: "/s",
        limitName: "1 worker, same run",
        ratio: two / p,
        target: "> 1x",
      });
    }
    return rows;
  } finally {
    receiver.stop();
  }
}

async function replayRate(url, dir) {
  const receiver = await startReceiver();
  const env = webhookEnv(url, dir);
  const R = Number(process.env.BENCH_REPLAY ?? 10_000);
  try {
    intg(["db", "migrate"], env);
    const batch = join(dir, "replay.ndjson");
    writeFileSync(
      batch,
      Array.from({ length: R }, (_, i) => JSON.stringify({ type: "order.created", data: { ...DATA, n: i } })).join(
        "\n",
      ),
    );
    const worker = [];
    const replay = [];
    const time = (args) => {
      const start = process.hrtime.bigint();
      const out = spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8" });
      if (out.status !== 0 || !out.stderr.includes(`${R} delivered`))
        throw new Error(`${args.join(" ")}: ${out.stderr}`);
      return R / (Number(process.hrtime.bigint() - start) / 1e9);
    };
    for (let round = 0; round < REPLAY_ROUNDS; round++) {
      // A fresh endpoint per round, so each replay selects exactly this round's deliveries.
      const ep = JSON.parse(
        intg(
          ["webhooks", "endpoints", "create", "--url", receiver.url, "--allow-private-network", ...CAP, "--json"],
          env,
        ),
      ).id;
      intg(["webhooks", "send", "--batch-file", batch, "--allow-unknown-type"], env);
      worker.push(time(["webhooks", "worker", "--once", "--concurrency", String(CONCURRENCY)]));
      replay.push(
        time([
          "webhooks",
          "replay",
          "--endpoint",
          ep,
          "--status",
          "delivered",
          "--include-delivered",
          "--since",
          "1h",
          "--concurrency",
          String(CONCURRENCY),
        ]),
      );
      intg(["webhooks", "endpoints", "disable", "--yes", ep], env); // the next round's batch goes to the next endpoint alone
    }
    const p = median(replay);
    const l = median(worker);
    return {
      figure: `webhooks replay of ${R.toLocaleString("en")} deliveries (x ${REPLAY_ROUNDS}), SQLite`,
      project: p.toFixed(0),
      limit: l.toFixed(0),
      unit: "/s",
      limitName: "the worker, same count",
      ratio: p / l,
      target: "≥ 0.4x",
    };
  } finally {
    receiver.stop();
  }
}

async function latency(url, dir) {
  const receiver = await startReceiver(true);
  const env = webhookEnv(url, dir);
  intg(["db", "migrate"], env);
  intg(["webhooks", "endpoints", "create", "--url", receiver.url, "--allow-private-network", ...CAP], env);
  const worker = spawn(process.execPath, [BIN, "webhooks", "worker", "--poll", POLL], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const db = await tools.openDatabase(tools.parseDbUrl(url, "--db", dir), { autoMigrate: false });
  const ctx = { db, sql: db.sql, now: () => new Date(), actor: "bench", env: {} };
  try {
    await sleep(500); // the worker is up and polling
    const created = new Map();
    const total = RATE * LATENCY_SECONDS;
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = t0 + (i * 1000) / RATE - performance.now();
      if (wait > 0) await sleep(wait);
      const sent = await tools.sendBatch(ctx, {
        events: [{ line: 1, type: "order.created", data: { ...DATA, n: i }, idempotencyKey: null }],
        allowUnknownType: true,
      });
      const e = sent.events[0].event;
      created.set(e.id, Date.parse(e.createdAt));
    }
    const achieved = total / ((performance.now() - t0) / 1000);
    const deadline = Date.now() + 30_000;
    while (receiver.arrivals.size < total && Date.now() < deadline) await sleep(50);
    if (receiver.arrivals.size < total)
      throw new Error(`latency: ${receiver.arrivals.size} of ${total} events arrived`);
    const ms = [...created].map(([id, at]) => receiver.arrivals.get(id) - at).sort((a, b) => a - b);
    const q = (p) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))];
    return {
      figure: `event created → received, ${RATE}/s for ${LATENCY_SECONDS}s (sent ${achieved.toFixed(0)}/s), worker --poll ${POLL}`,
      project: `p50 ${q(50)} / p95 ${q(95)} / p99 ${q(99)} ms`,
      limit: "-",
      unit: "",
      limitName: "",
      ratio: null,
      target: "report",
    };
  } finally {
    worker.kill("SIGTERM");
    await new Promise((r) => worker.once("exit", r));
    await db.close();
    receiver.stop();
  }
}

export async function webhooks() {
  const dir = mkdtempSync(join(tmpdir(), "intg-bench-"));
  const rows = [];
  try {
    rows.push(...(await throughput("SQLite", `file:${join(dir, "hooks.db")}`, dir)));
    const pg = await tempPostgres();
    if (pg) {
      try {
        rows.push(...(await throughput("PostgreSQL", pg.url, dir, true)));
      } finally {
        await pg.drop();
      }
    }
    rows.push(await replayRate(`file:${join(dir, "replay.db")}`, dir));
    rows.push(await latency(`file:${join(dir, "latency.db")}`, dir));
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
