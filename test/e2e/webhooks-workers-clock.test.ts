import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import type { WebhookWorkerInfo } from "../../src/types/integration/webhook.types.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { BIN, intg } from "../helpers/spawn.js";

// `webhooks workers` judges workers by the database's clock, not theirs nor the operator's. Workers
// run with their clocks moved (helpers/clock-shift.cjs): one 10 minutes fast, SIGKILLed, is gone
// three heartbeats later, not 10 minutes later; one 25 hours fast, starting, leaves the other's row
// (it deleted every row silent for a day by its clock); a listing run an hour slow shows the same.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
const SHIFT = fileURLToPath(new URL("../helpers/clock-shift.cjs", import.meta.url));
const MIN = 60_000;
afterAll(() => home.dispose());

describe.each(PROVIDERS)("webhooks workers with clocks off on %s", (provider) => {
  it("shows a worker 10 min fast gone once killed, and keeps it when one 25 h fast starts", async () => {
    const db = await tempDb(provider);
    const base = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ACTOR: "e2e" };
    const shifted = (ms: number) => ({ ...base, NODE_OPTIONS: `--require ${SHIFT}`, TEST_CLOCK_SHIFT_MS: `${ms}` });
    const workers = async (shiftMs = 0, ...flags: string[]) => {
      const r = await intg(["webhooks", "workers", "--json", ...flags], { env: shifted(shiftMs) });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as WebhookWorkerInfo[];
    };
    const until = async (what: string, test: (ws: WebhookWorkerInfo[]) => boolean) => {
      let last: WebhookWorkerInfo[] = [];
      for (let i = 0; i < 100; i++) {
        if (test((last = await workers()))) return last;
        await sleep(100);
      }
      throw new Error(`${what}: ${JSON.stringify(last)}`);
    };
    const children: ChildProcess[] = [];
    const start = (shiftMs: number) => {
      // A lease of 3 s (a beat a second): the listings below, a CLI start each, must not outlast it.
      const args = [BIN, "webhooks", "worker", "--lease", "3s", "--poll", "50ms"];
      const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? "", ...shifted(shiftMs) } });
      child.stdout.resume();
      child.stderr.resume();
      children.push(child);
      return child;
    };
    const stateOf = (ws: WebhookWorkerInfo[], child: ChildProcess) => ws.find((w) => w.pid === child.pid)?.state;
    try {
      expect((await intg(["db", "migrate"], { env: base })).code).toBe(0);
      const fast = start(10 * MIN);
      const [first] = await until("the fast worker live", (ws) => stateOf(ws, fast) === "live");
      // Its row holds the database's times, not its own 10 minutes ahead.
      expect(Math.abs(Date.parse(first!.lastHeartbeatAt) - Date.now())).toBeLessThan(MIN);

      const ahead = start(25 * 60 * MIN);
      await until("both live", (ws) => stateOf(ws, ahead) === "live" && stateOf(ws, fast) === "live");

      fast.kill("SIGKILL");
      await new Promise((resolve) => fast.once("exit", resolve));
      await until("the killed worker gone", (ws) => stateOf(ws, fast) === "gone" && stateOf(ws, ahead) === "live");
      const late = await workers(-60 * MIN); // an operator whose clock is an hour slow
      expect([stateOf(late, fast), stateOf(late, ahead)]).toEqual(["gone", "live"]);

      ahead.kill("SIGTERM");
      await new Promise((resolve) => ahead.once("exit", resolve));
      const stopped = (await workers(0, "--all")).find((w) => w.pid === ahead.pid)!;
      expect(stopped.state).toBe("stopped");
      expect(Math.abs(Date.parse(stopped.stoppedAt!) - Date.now())).toBeLessThan(MIN);
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
      await db.dispose();
    }
  }, 60_000);
});
