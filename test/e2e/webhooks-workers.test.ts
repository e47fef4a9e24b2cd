import { type ChildProcess, spawn } from "node:child_process";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { VERSION } from "../../src/cli/version.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import type { WebhookWorkerInfo } from "../../src/types/integration/webhook.types.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { BIN, intg } from "../helpers/spawn.js";

// Issue 16: `webhooks workers` lists the workers on a database from their heartbeats. Two workers
// on one database are live; one SIGKILLed stops beating and is shown gone after three heartbeats
// (a third of --lease each); one stopped by SIGTERM is stopped, listed only with --all.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

describe.each(PROVIDERS)("webhooks workers on %s", (provider) => {
  it("lists two live workers, then the SIGKILLed one as gone and the SIGTERMed one as stopped", async () => {
    const db = await tempDb(provider);
    const receiver = await startReceiver();
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ACTOR: "e2e" };
    const ok = async (args: string[]) => {
      const r = await intg(args, { env });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const workers = async (...flags: string[]) =>
      JSON.parse(await ok(["webhooks", "workers", "--json", ...flags])) as WebhookWorkerInfo[];
    const until = async (what: string, test: (ws: WebhookWorkerInfo[]) => boolean, flags: string[] = []) => {
      let last: WebhookWorkerInfo[] = [];
      for (let i = 0; i < 100; i++) {
        if (test((last = await workers(...flags)))) return last;
        await sleep(100);
      }
      throw new Error(`${what}: ${JSON.stringify(last)}`);
    };
    const children: ChildProcess[] = [];
    const start = (concurrency: number) => {
      const child = spawn(
        process.execPath,
        [BIN, "webhooks", "worker", "--lease", "1s", "--poll", "50ms", "--concurrency", String(concurrency)],
        { env: { PATH: process.env.PATH ?? "", ...env }, stdio: "ignore" },
      );
      children.push(child);
      return child;
    };
    try {
      await ok(["db", "migrate"]);
      expect(await workers()).toEqual([]);
      const none = await intg(["webhooks", "workers"], { env });
      expect(none.stdout).toBe("");
      expect(none.stderr).toContain("No running workers");
      await ok(["webhooks", "endpoints", "create", "--url", receiver.url, "--allow-private-network"]);
      for (let i = 0; i < 4; i++) await ok(["webhooks", "send", "t.x", "--data", `{"i":${i}}`, "--allow-unknown-type"]);

      const a = start(3);
      const b = start(5);
      const live = await until("both live", (ws) => ws.length === 2 && ws.every((w) => w.state === "live"));
      const byPid = (pid: number | undefined) => live.find((w) => w.pid === pid)!;
      for (const [child, lanes] of [
        [a, 3],
        [b, 5],
      ] as const) {
        expect(byPid(child.pid)).toMatchObject({
          host: hostname(),
          version: VERSION,
          lanesTotal: lanes,
          leaseMs: 1000,
          heartbeatMs: 333,
          stoppedAt: null,
        });
        expect(byPid(child.pid).id).toMatch(/^wkr_[0-9A-Z]{26}$/);
      }
      // The four deliveries went out, claimed by one worker or the other.
      for (let i = 0; i < 100 && receiver.received.length < 4; i++) await sleep(50);
      expect(receiver.received.length).toBe(4);
      const claimed = await until("a claim is recorded", (ws) => ws.some((w) => w.lastClaimAt !== null));
      expect(claimed.filter((w) => w.lastClaimAt !== null).every((w) => w.lastClaimAt! >= w.startedAt)).toBe(true);
      // The heartbeat moves on while a worker lives.
      const first = byPid(a.pid).lastHeartbeatAt;
      await until("a heartbeat later", (ws) => ws.find((w) => w.pid === a.pid)!.lastHeartbeatAt > first);

      // The listing for a person names both.
      const table = await ok(["webhooks", "workers"]);
      expect(table).toContain(String(a.pid));
      expect(table).toContain(String(b.pid));

      a.kill("SIGKILL");
      await new Promise((resolve) => a.once("exit", resolve));
      const after = await until("a gone, b live", (ws) => ws.find((w) => w.pid === a.pid)?.state === "gone");
      expect(after.find((w) => w.pid === b.pid)!.state).toBe("live");
      expect(await ok(["webhooks", "workers"])).toMatch(new RegExp(`${a.pid}.*gone`));

      b.kill("SIGTERM");
      await new Promise((resolve) => b.once("exit", resolve));
      const rest = await workers();
      expect(rest.map((w) => [w.pid, w.state])).toEqual([[a.pid, "gone"]]);
      const all = await workers("--all");
      expect(all.find((w) => w.pid === b.pid)).toMatchObject({ state: "stopped", lanesBusy: 0 });
      expect(all.find((w) => w.pid === b.pid)!.stoppedAt).not.toBeNull();
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
      await receiver.close();
      await db.dispose();
    }
  }, 60_000);
});
