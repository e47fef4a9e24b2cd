// Webhooks: end-to-end deliveries per second of one `intg webhooks worker --once` process on
// SQLite (claim, sign, POST, every attempt persisted), against bare undici POSTs with the same
// concurrency and body to the same receiver, which runs in a process of its own. The worker's
// figure is its whole process, start-up included.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "undici";
import { BIN, median } from "./lib.mjs";

const N = Number(process.env.BENCH_DELIVERIES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_WEBHOOK_ROUNDS ?? 3);
const CONCURRENCY = 64;

// The receiver answers 200 to every POST once it has read the body, as a real one would.
const RECEIVER = `require("node:http").createServer((q, s) => { q.resume(); q.on("end", () => { s.writeHead(200, { "content-type": "text/plain" }); s.end("ok"); }); })
  .listen(0, "127.0.0.1", function () { process.stdout.write(String(this.address().port) + "\\n"); });`;

function startReceiver() {
  const child = spawn(process.execPath, ["-e", RECEIVER], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve) => child.stdout.once("data", (d) => resolve({ url: `http://127.0.0.1:${String(d).trim()}/hook`, stop: () => child.kill() })));
}

function intg(args, env) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`intg ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout.toString();
}

async function bareUndici(url, body) {
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  const target = new URL(url);
  let next = 0;
  const start = process.hrtime.bigint();
  const lane = async () => {
    while (next++ < N) {
      const res = await agent.request({ origin: target.origin, path: target.pathname, method: "POST", headers: { "content-type": "application/json" }, body });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const rate = N / (Number(process.hrtime.bigint() - start) / 1e9);
  await agent.close();
  return rate;
}

export async function webhooks() {
  const dir = mkdtempSync(join(tmpdir(), "intg-bench-"));
  const receiver = await startReceiver();
  const env = { PATH: process.env.PATH, HOME: dir, INTG_DATABASE_URL: `file:${join(dir, "hooks.db")}`, INTG_MASTER_KEY: Buffer.alloc(32, 7).toString("base64") };
  try {
    intg(["db", "migrate"], env);
    intg(["webhooks", "endpoints", "create", "--url", receiver.url, "--allow-private-network"], env);
    const data = { id: "ord_123", amount: 4200, currency: "EUR", customer: { id: "cus_1", email: "a@example.com" } };
    const batch = join(dir, "batch.ndjson");
    writeFileSync(batch, Array.from({ length: N }, (_, i) => JSON.stringify({ type: "order.created", data: { ...data, n: i } })).join("\n"));
    const body = JSON.stringify({ type: "order.created", timestamp: new Date().toISOString(), data: { ...data, n: 1 } });
    const project = [];
    const limit = [];
    await bareUndici(receiver.url, body); // warm both sides
    for (let round = 0; round < ROUNDS; round++) {
      intg(["webhooks", "send", "--batch-file", batch, "--allow-unknown-type", "--json"], env);
      limit.push(await bareUndici(receiver.url, body));
      const start = process.hrtime.bigint();
      const summary = spawnSync(process.execPath, [BIN, "webhooks", "worker", "--once", "--concurrency", String(CONCURRENCY)], { env, encoding: "utf8" });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (summary.status !== 0 || !summary.stderr.includes(`${N} delivered`)) throw new Error(`worker: ${summary.stderr}`);
      project.push(N / seconds);
    }
    const p = median(project);
    const l = median(limit);
    return [{ figure: `webhook deliveries/s, 1 worker on SQLite (${N.toLocaleString("en")} x ${ROUNDS})`, project: p.toFixed(0), limit: l.toFixed(0), unit: "/s", limitName: `bare undici POSTs, ${CONCURRENCY} in flight`, ratio: p / l, target: "≥ 0.4x" }];
  } finally {
    receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}


