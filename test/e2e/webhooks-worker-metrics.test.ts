import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { connect } from "node:net";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { VERSION } from "../../src/cli/version.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDb, tempDir, tempSqlite } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { BIN, intg } from "../helpers/spawn.js";

// Issue 16: `webhooks worker --metrics-port` serves Prometheus metrics. Scraped during a run with
// one endpoint that answers 200, one that answers 503 (retried a minute later at the earliest) and one that hangs (its leases are
// renewed, its lanes stay busy): the counters, histogram, backlog gauges and identity hold what
// happened, and `promtool check metrics` accepts the exposition. promtool must be installed (CI
// installs Debian's prometheus package): a missing promtool fails, it does not skip.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

type Sample = { name: string; labels: Record<string, string>; value: number };
function parse(text: string): Sample[] {
  return text
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(l);
      if (!m) throw new Error(`not a sample: ${l}`);
      const labels = Object.fromEntries(
        [...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((p) => [p[1], p[2]]),
      );
      return { name: m[1]!, labels: labels as Record<string, string>, value: Number(m[3]) };
    });
}
const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

function promtool(text: string): { status: number | null; output: string } {
  const r = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  if (r.error) throw new Error(`promtool is missing (${r.error.message}): install Debian's prometheus package`);
  return { status: r.status, output: r.stdout + r.stderr };
}

describe.each(PROVIDERS)("webhooks worker --metrics-port on %s", (provider) => {
  it("serves the run's counters, latency, backlog and identity, and promtool accepts them", async () => {
    const db = await tempDb(provider);
    const fast = await startReceiver();
    const failing = await startReceiver({ respond: () => ({ status: 503 }) });
    const hanging = await startReceiver({ respond: () => ({ status: 200, delayMs: 30_000 }) });
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ACTOR: "e2e" };
    const ok = async (args: string[]) => {
      const r = await intg(args, { env });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    let worker: ChildProcess | undefined;
    try {
      await ok(["db", "migrate"]);
      const ids: Record<string, string> = {};
      for (const [name, r] of Object.entries({ fast, failing, hanging })) {
        const created = await ok([
          "webhooks",
          "endpoints",
          "create",
          "--url",
          r.url,
          "--allow-private-network",
          "--json",
        ]);
        ids[name] = (JSON.parse(created) as { id: string }).id;
      }
      for (let i = 0; i < 2; i++) await ok(["webhooks", "send", "t.x", "--data", `{"i":${i}}`, "--allow-unknown-type"]);

      worker = spawn(
        process.execPath,
        [BIN, "webhooks", "worker", "--lease", "1s", "--poll", "50ms", "--metrics-port", "0"],
        {
          env: { PATH: process.env.PATH ?? "", ...env },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      worker.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      for (let i = 0; i < 100 && !/Metrics at (\S+)/.test(stderr); i++) await sleep(50);
      const url = /Metrics at (\S+)/.exec(stderr)?.[1];
      expect(url, stderr).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

      let text = "";
      let samples: Sample[] = [];
      const scrape = async () => {
        const res = await fetch(url!);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
        samples = parse((text = await res.text()));
        return samples;
      };
      // Settled: two delivered, two to retry, two hanging with their leases renewed at least twice.
      for (let i = 0; i < 100; i++) {
        await scrape();
        const settled =
          value(samples, "intg_webhook_attempts_total", { outcome: "delivered" }) === 2 &&
          value(samples, "intg_webhook_attempts_total", { outcome: "retrying" }) === 2 &&
          (value(samples, "intg_webhook_leases_renewed_total") ?? 0) >= 4 &&
          value(samples, "intg_webhook_lanes_busy") === 2;
        if (settled) break;
        await sleep(100);
      }
      // The backlog is read at most every 2 s (one query for several scrapers): read it afresh.
      await sleep(2100);
      await scrape();
      const at = (name: string, labels?: Record<string, string>) => value(samples, name, labels);
      expect(at("intg_webhook_attempts_total", { outcome: "delivered" }), text).toBe(2);
      expect(at("intg_webhook_attempts_total", { outcome: "retrying" })).toBe(2);
      expect(at("intg_webhook_attempts_total", { outcome: "failed" })).toBe(0);
      expect(at("intg_webhook_deliveries_total", { outcome: "delivered" })).toBe(2);
      expect(at("intg_webhook_deliveries_total", { outcome: "failed" })).toBe(0);
      expect(at("intg_webhook_deliveries_claimed_total")).toBe(6);
      expect(at("intg_webhook_leases_renewed_total")).toBeGreaterThanOrEqual(4);
      expect(at("intg_webhook_lanes_busy")).toBe(2);
      expect(at("intg_webhook_lanes")).toBe(64);
      const latency = (outcome: string, le: string) =>
        at("intg_webhook_attempt_duration_seconds_bucket", { outcome, le });
      expect(at("intg_webhook_attempt_duration_seconds_count", { outcome: "delivered" })).toBe(2);
      expect(latency("delivered", "+Inf")).toBe(2);
      expect(latency("delivered", "5")).toBe(2); // a local receiver answers in far less than 5 s
      expect(at("intg_webhook_attempt_duration_seconds_count", { outcome: "retrying" })).toBe(2);
      // The backlog: the failing endpoint's deliveries wait for their retry, the hanging ones are being sent.
      expect(at("intg_webhook_backlog_deliveries", { endpoint: ids.failing! })).toBe(2);
      expect(at("intg_webhook_backlog_deliveries", { endpoint: ids.hanging! })).toBe(2);
      expect(at("intg_webhook_backlog_deliveries", { endpoint: ids.fast! })).toBeUndefined();
      expect(at("intg_webhook_backlog_oldest_age_seconds", { endpoint: ids.failing! })).toBeGreaterThan(0);
      const [info] = samples.filter((s) => s.name === "intg_webhook_worker_info");
      expect(info).toEqual({
        name: "intg_webhook_worker_info",
        labels: {
          worker_id: expect.stringMatching(/^wkr_/),
          host: hostname(),
          pid: String(worker.pid),
          version: VERSION,
        },
        value: 1,
      });
      const listed = JSON.parse(await ok(["webhooks", "workers", "--json"])) as { id: string }[];
      expect(listed.map((w) => w.id)).toEqual([info!.labels.worker_id]);
      expect(at("process_start_time_seconds")).toBeGreaterThan(0);

      const checked = promtool(text);
      expect(checked.status, checked.output).toBe(0);

      // Scrapers that come together, go away mid-request or ask for another path leave the endpoint serving.
      const together = await Promise.all(Array.from({ length: 20 }, () => fetch(url!).then((r) => r.text())));
      for (const t of together)
        expect(value(parse(t), "intg_webhook_backlog_deliveries", { endpoint: ids.failing! })).toBe(2);
      const { port } = new URL(url!);
      for (let i = 0; i < 5; i++) {
        const socket = connect(Number(port), "127.0.0.1", () => {
          socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
          socket.destroy();
        });
        socket.on("error", () => undefined);
      }
      expect(await fetch(new URL("/", url)).then((r) => r.status)).toBe(404);
      await scrape();
      expect(value(samples, "intg_webhook_attempts_total", { outcome: "delivered" })).toBe(2);
    } finally {
      worker?.kill("SIGKILL");
      await Promise.all([fast.close(), failing.close(), hanging.close()]);
      await db.dispose();
    }
  }, 60_000);
});

describe("--metrics-port refused", () => {
  it("when the port is in use, a flag is malformed or --metrics-host comes alone: exit 2, no worker registered", async () => {
    const db = tempSqlite();
    const busy = await startReceiver();
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url };
    try {
      expect((await intg(["db", "migrate"], { env })).code).toBe(0);
      const port = new URL(busy.url).port;
      const taken = await intg(["webhooks", "worker", "--once", "--metrics-port", port, "--json"], { env });
      expect(taken.code).toBe(2);
      expect(JSON.parse(taken.stderr)).toEqual({
        error: expect.objectContaining({ code: "PORT_IN_USE", message: expect.stringContaining(`port ${port}`) }),
      });
      for (const args of [
        ["--metrics-port", "http"],
        ["--metrics-port", "70000"],
        ["--metrics-host", "0.0.0.0"],
        // Empty, it listened on every interface.
        ["--metrics-port", "0", "--metrics-host", ""],
        ["--metrics-port", "0", "--metrics-host", " "],
      ]) {
        const r = await intg(["webhooks", "worker", "--once", ...args], { env });
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stderr).toMatch(/--metrics-(port|host)/);
      }
      // Past Node's longest timer, the heartbeat (a third of --lease) and the idle poll fired every
      // millisecond; either is refused before the worker starts.
      for (const args of [
        ["--lease", "100d"],
        ["--lease", "25h"],
        ["--poll", "30d"],
        ["--poll", "61m"],
      ]) {
        const r = await intg(["webhooks", "worker", "--once", ...args], { env });
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stderr).toContain(`${args[0]} must be at most`);
      }
      const all = await intg(["webhooks", "workers", "--all", "--json"], { env });
      expect(JSON.parse(all.stdout)).toEqual([]);
      // The longest of each runs.
      for (const args of [
        ["--lease", "1d"],
        ["--poll", "1h"],
      ]) {
        const r = await intg(["webhooks", "worker", "--once", ...args], { env });
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      }
      const ran = JSON.parse((await intg(["webhooks", "workers", "--all", "--json"], { env })).stdout);
      expect(ran.map((w: { leaseMs: number }) => w.leaseMs).sort((a: number, b: number) => a - b)).toEqual([
        60_000, 86_400_000,
      ]);
    } finally {
      await busy.close();
      await db.dispose();
    }
  }, 30_000);

  it("prom-client is loaded only by a worker asked for metrics", async () => {
    const db = tempSqlite();
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, NODE_DEBUG: "module" };
    try {
      expect((await intg(["db", "migrate"], { env })).code).toBe(0);
      const loads = async (args: string[]) => {
        const r = await intg(args, { env });
        expect(r.code, r.stderr.slice(-500)).toBe(0);
        return /REQUEST prom-client /.test(r.stderr);
      };
      expect(await loads(["webhooks", "worker", "--once"])).toBe(false);
      expect(await loads(["webhooks", "workers"])).toBe(false);
      expect(await loads(["webhooks", "worker", "--once", "--metrics-port", "0"])).toBe(true);
    } finally {
      await db.dispose();
    }
  }, 30_000);
});
