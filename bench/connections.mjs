// Connections: `intg connections check --all` over 100 connections whose health endpoints each
// take 200 ms to answer, against checking one of them; both whole processes, start-up included,
// on SQLite. The provider runs in a process of its own. The target: at most 3x, with the
// default --concurrency (64: two rounds of 200 ms for 100 connections; at 16 it would take seven,
// which no start-up could bring under 3x).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, median } from "./lib.mjs";

const tools = await import("../dist/dev-tools.cjs");
const N = Number(process.env.BENCH_CONNECTIONS ?? 100);
const RUNS = Number(process.env.BENCH_CHECK_RUNS ?? 5);
const DELAY_MS = 200;

// Every health request is answered after 200 ms, on keep-alive connections, as a slow API would.
const PROVIDER = `require("node:http").createServer((q, s) => { q.resume(); q.on("end", () => setTimeout(() => { s.writeHead(200, { "content-type": "application/json" }); s.end("{}"); }, ${DELAY_MS})); })
  .listen(0, "127.0.0.1", function () { process.stdout.write(String(this.address().port) + "\\n"); });`;

function startProvider() {
  const child = spawn(process.execPath, ["-e", PROVIDER], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve) =>
    child.stdout.once("data", (d) =>
      resolve({ url: `http://127.0.0.1:${String(d).trim()}`, stop: () => child.kill() }),
    ),
  );
}

function timeCheck(args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, "connections", "check", ...args, "--json"], {
    env,
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`connections check ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export async function connections() {
  const dir = mkdtempSync(join(tmpdir(), "intg-bench-"));
  const provider = await startProvider();
  const url = `file:${join(dir, "conns.db")}`;
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    INTG_DATABASE_URL: url,
    INTG_MASTER_KEY: Buffer.alloc(32, 9).toString("base64"),
  };
  try {
    await tools.applyPendingMigrations(tools.parseDbUrl(url, "--db", dir));
    const db = await tools.openDatabase(tools.parseDbUrl(url, "--db", dir), { autoMigrate: false });
    const ctx = { db, sql: db.sql, now: () => new Date(), actor: "bench", env };
    await tools.createProvider(ctx, {
      slug: "slow",
      name: "Slow",
      category: "OTHER",
      baseUrl: provider.url,
      auth: "bearer_token",
      healthCheck: { path: "/health" },
      allowPrivateNetwork: true,
    });
    const ids = [];
    for (let i = 0; i < N; i++)
      ids.push(
        (
          await tools.createConnection(ctx, {
            provider: "slow",
            environment: "PRODUCTION",
            name: `c${i}`,
            config: null,
            rateLimitPerMinute: null,
            credential: `token-${i}`,
          })
        ).connection.id,
      );
    await db.close();
    timeCheck([ids[0]], env); // warm the file cache
    const variants = [[]];
    const all = variants.map(() => []);
    const one = [];
    for (let i = 0; i < RUNS; i++) {
      variants.forEach((flags, v) => all[v].push(timeCheck(["--all", ...flags], env)));
      one.push(timeCheck([ids[0]], env));
    }
    const l = median(one);
    return variants.map((flags, v) => {
      const p = median(all[v]);
      const how = flags.length ? flags.join(" ") : "default --concurrency 64";
      return {
        figure: `connections check --all (${how}), ${N} connections x ${DELAY_MS} ms (${RUNS} runs)`,
        project: p.toFixed(0),
        limit: l.toFixed(0),
        unit: "ms",
        limitName: "check of 1 connection",
        ratio: p / l,
        target: "≤ 3x",
      };
    });
  } finally {
    provider.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
