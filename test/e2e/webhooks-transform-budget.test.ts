import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { BIN, intg } from "../helpers/spawn.js";

// Transforms with a budget through bin/intg: a transform that never ends (a loop, a catastrophic
// regular expression) fails its own delivery with the reason, and the worker serves the other
// endpoints and finishes; `webhooks transform` ends with the reason, or on SIGTERM.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

// Over the budget only on events that carry `loop` or `s`: `endpoints create` tries an expression on
// a sample event and refuses one that is over the budget there (webhooks-transform-trial.test.ts).
const LOOP = "data.loop ? ($f := function($n){ $f($n + 1) }; $f(0)) : data";
const REGEX = "$match(data.s, /^(a+)+$/)";
const DATA = JSON.stringify({ id: "in_1", loop: true, s: `${"a".repeat(40)}!` });

describe.each(PROVIDERS)("transform budget through bin/intg on %s", (provider) => {
  it("fails over-budget transforms as attempts with the reason while a healthy endpoint is served", async () => {
    const db = await tempDb(provider);
    const [loop, regex, healthy] = [await startReceiver(), await startReceiver(), await startReceiver()];
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ALLOW_PRIVATE_NETWORKS: "1" };
    const run = (...args: string[]) => intg(args, { env });
    const json = async (...args: string[]) => {
      const r = await run(...args, "--json");
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return JSON.parse(r.stdout);
    };
    try {
      expect((await run("db", "migrate")).code).toBe(0);
      const looping = await json("webhooks", "endpoints", "create", "--url", loop.url, "--transform", LOOP);
      const backtracking = await json("webhooks", "endpoints", "create", "--url", regex.url, "--transform", REGEX);
      const fine = ["--url", healthy.url, "--transform", "{'id': data.id}"];
      await json("webhooks", "endpoints", "create", ...fine);
      const event = await json("webhooks", "send", "invoice.paid", "--data", DATA, "--allow-unknown-type");

      // Before the budget this never returned; the test timeout is the bound.
      const worker = await run("webhooks", "worker", "--once");
      expect(worker.code, worker.stderr).toBe(0);
      expect(healthy.received.map((r) => JSON.parse(r.body))).toEqual([{ id: "in_1" }]);
      expect(loop.received).toEqual([]);
      expect(regex.received).toEqual([]);
      for (const endpoint of [looping, backtracking]) {
        const [d] = await json("webhooks", "deliveries", "list", "--endpoint", endpoint.id);
        expect(d.status).toBe("PENDING"); // retried on the schedule, not stuck SENDING
        const shown = await json("webhooks", "deliveries", "show", d.id);
        expect(shown.attempts).toHaveLength(1);
        expect(shown.attempts[0].error).toBe("the transformation exceeded its 100 ms budget");
      }
      const preview = await run("webhooks", "transform", "--endpoint", backtracking.id, "--event", event.id);
      expect(preview.code).toBe(2);
      expect(preview.stderr).toContain("the transformation exceeded its 100 ms budget");
    } finally {
      await Promise.all([loop, regex, healthy].map((r) => r.close()));
      await db.dispose();
    }
  }, 60_000);

  it("stops `webhooks transform` on SIGTERM while its transform runs", async () => {
    const db = await tempDb(provider);
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ALLOW_PRIVATE_NETWORKS: "1" };
    const run = (...args: string[]) => intg(args, { env });
    try {
      expect((await run("db", "migrate")).code).toBe(0);
      const json = async (...args: string[]) => JSON.parse((await run(...args, "--json")).stdout);
      const endpoint = await json(
        "webhooks",
        "endpoints",
        "create",
        "--url",
        "http://127.0.0.1:9/a",
        "--transform",
        LOOP,
      );
      const event = await json("webhooks", "send", "a.b", "--data", DATA, "--allow-unknown-type");
      const args = [BIN, "webhooks", "transform", "--endpoint", endpoint.id, "--event", event.id];
      const child = spawn(process.execPath, args, {
        env: { PATH: process.env.PATH ?? "", ...env },
        stdio: "ignore",
      });
      const exited = new Promise<string>((resolve) =>
        child.on("exit", (code, signal) => resolve(signal ?? String(code))),
      );
      setTimeout(() => child.kill("SIGTERM"), 300);
      // It ends with the budget's exit 2 or SIGTERM's 130, whichever comes first, or by the signal
      // itself when it lands before the handler is installed (a slow start-up): it never hangs.
      expect(["2", "130", "SIGTERM"]).toContain(await exited);
    } finally {
      await db.dispose();
    }
  }, 15_000);
});
