import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PG_BASE_URL, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { BIN, intg } from "../helpers/spawn.js";

// --rate-limit holds across workers: the limit is a clock in the endpoint's row that every
// worker's claim advances (GCRA), so three worker processes on one database send, together, at the
// endpoint's rate, and a fresh endpoint's first second carries one second's burst, no more.
//
// What the receiver may see, from the GCRA: emission interval T = 1000/rate ms, tolerance
// tau = (rate - 1) * T (a burst of one second's worth, only after idling). The slots of any window
// of W ms number at most floor((W + tau) / T) + 1; a send arrives a little after its slot (under
// T here), which can put one more in a window. So at the receiver:
//   - any one-second window, the first burst included: at most rate + burst = 2 * rate;
//   - any one-second window starting after the burst (the backlog never lets the endpoint idle
//     again): at most rate + 1.

const RATE = 10;
const SHIFT = fileURLToPath(new URL("../helpers/clock-shift.cjs", import.meta.url));
const EVENTS = 60;
const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");

afterAll(() => home.dispose());

/** The most arrivals in any [t, t + 1000) window whose start t is one of `times` from index `from`. */
function busiestSecond(times: readonly number[], from = 0): number {
  let most = 0;
  for (let i = from, j = from; i < times.length; i++) {
    while (j < times.length && (times[j] as number) < (times[i] as number) + 1000) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

/** `strict`: the receiver checks each signature's timestamp against its own clock too. */
async function setup(provider: "sqlite" | "postgresql", strict = true) {
  const db = await tempDb(provider);
  const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ACTOR: "e2e" };
  const ok = async (args: string[]) => {
    const r = await intg(args, { env });
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r;
  };
  await ok(["db", "migrate"]);
  await ok(["webhooks", "event-types", "create", "order.created"]);
  const arrivals: number[] = [];
  const receiver = await startReceiver({
    strict,
    respond: () => {
      arrivals.push(performance.now());
      return { status: 200 };
    },
  });
  const create = ["webhooks", "endpoints", "create", "--url", receiver.url, "--allow-private-network"];
  receiver.secrets = [(await ok([...create, "--rate-limit", `${RATE}/s`])).stdout.trim()];
  const file = join(home.path, `batch-${provider}.ndjson`);
  const lines = Array.from({ length: EVENTS }, (_, i) => JSON.stringify({ type: "order.created", data: { n: i } }));
  writeFileSync(file, lines.join("\n"));
  await ok(["webhooks", "send", "--batch-file", file]);
  // `shiftMs`: the worker's clock runs that far ahead of the machine's (helpers/clock-shift.cjs).
  const worker = (args: string[], shiftMs = 0): ChildProcess =>
    spawn(process.execPath, [BIN, "webhooks", "worker", ...args], {
      env: {
        PATH: process.env.PATH ?? "",
        ...env,
        ...(shiftMs === 0 ? {} : { NODE_OPTIONS: `--require ${SHIFT}`, TEST_CLOCK_SHIFT_MS: `${shiftMs}` }),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
  const dispose = async () => {
    await receiver.close();
    await db.dispose();
  };
  return { receiver, arrivals, worker, dispose };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

function expectPaced(arrivals: readonly number[]) {
  const times = [...arrivals].sort((a, b) => a - b);
  expect(times).toHaveLength(EVENTS);
  expect(busiestSecond(times)).toBeLessThanOrEqual(2 * RATE);
  expect(busiestSecond(times, RATE)).toBeLessThanOrEqual(RATE + 1);
  // The whole run took as long as the rate says: the burst, then (EVENTS - RATE) slots of T each.
  expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThanOrEqual(
    ((EVENTS - RATE - 1) * 1000) / RATE - 50,
  );
}

describe("webhooks worker --rate-limit", () => {
  it("paces one worker on SQLite; --once waits for the held-back deliveries instead of leaving them", async () => {
    const s = await setup("sqlite");
    try {
      const w = s.worker(["--once"]);
      let stderr = "";
      w.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      expect(await exited(w), stderr).toBe(0);
      expectPaced(s.arrivals);
      expect([...s.receiver.counts.values()].every((n) => n === 1)).toBe(true);
      expect(s.receiver.received.every((r) => r.valid)).toBe(true);
    } finally {
      await s.dispose();
    }
  }, 60_000);

  it("holds across two worker processes on one SQLite file (one clock, not one per process)", async () => {
    const s = await setup("sqlite");
    try {
      const workers = [s.worker(["--once"]), s.worker(["--once"])];
      expect(await Promise.all(workers.map(exited))).toEqual([0, 0]);
      expectPaced(s.arrivals);
      expect([...s.receiver.counts.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await s.dispose();
    }
  }, 60_000);

  // Without a shift, and with the workers' clocks 10 minutes apart either way: the endpoint's clock
  // is advanced on the database's time, so one running behind cannot see a fresh burst in it.
  it.skipIf(!PG_BASE_URL).each([
    ["", [0, 0, 0]],
    [" whose clocks disagree by minutes", [0, 10 * 60_000, -10 * 60_000]],
  ])(
    "holds across three workers on one PostgreSQL database%s",
    async (_, shifts) => {
      // A signature's timestamp is its worker's own clock (as a receiver's is its own): with the
      // workers' clocks moved, the receiver checks the signatures alone.
      const s = await setup(
        "postgresql",
        shifts.every((shift) => shift === 0),
      );
      try {
        const workers = shifts.map((shift) => s.worker(["--poll", "50ms"], shift));
        const codes = workers.map(exited);
        for (let i = 0; i < 300 && s.arrivals.length < EVENTS; i++) await sleep(100);
        // A little longer: a delivery sent twice, or past the 60, would show now.
        await sleep(500);
        for (const w of workers) w.kill("SIGTERM");
        expect(await Promise.all(codes)).toEqual([130, 130, 130]); // stopped by a signal, gracefully
        expectPaced(s.arrivals);
        expect(s.receiver.counts.size).toBe(EVENTS);
        expect([...s.receiver.counts.values()].every((n) => n === 1)).toBe(true);
        expect(s.receiver.received.every((r) => r.valid)).toBe(true);
      } finally {
        await s.dispose();
      }
    },
    90_000,
  );
});
