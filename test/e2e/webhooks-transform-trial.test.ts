import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { BIN, intg } from "../helpers/spawn.js";

// `endpoints create|update --transform` apply the transform budget of deliveries and `webhooks
// transform`: the expression is tried once on a sample event, and one over the budget there is
// refused with exit 2 and nothing written, quickly, and the command stops on SIGINT or SIGTERM.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

const LOOP = "($f := function($n){ $f($n+1) }; $f(0))";
const OVER = [LOOP, "($f := function($n){ 1 + $f($n + 1) }; $f(0))", `$match("${"a".repeat(40)}!", /^(a+)+$/)`];
const URL = "http://127.0.0.1:9/a";

describe.each(PROVIDERS)("the --transform trial on a sample event through bin/intg on %s", (provider) => {
  it("refuses an expression over the budget on create and update within seconds, writing nothing", async () => {
    const db = await tempDb(provider);
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ALLOW_PRIVATE_NETWORKS: "1" };
    const run = (...args: string[]) => intg(args, { env });
    const timed = async (...args: string[]) => {
      const started = Date.now();
      const r = await run(...args);
      return { ...r, ms: Date.now() - started };
    };
    try {
      expect((await run("db", "migrate")).code).toBe(0);
      const created = await run(
        "webhooks",
        "endpoints",
        "create",
        "--url",
        URL,
        "--transform",
        "{'id': data.id}",
        "--json",
      );
      expect(created.code, created.stderr).toBe(0);
      expect(created.stderr).toBe(""); // a fine expression: no warning
      const id = JSON.parse(created.stdout).id as string;
      const list = async () => (await run("webhooks", "endpoints", "list", "--json")).stdout;
      const show = async () => (await run("webhooks", "endpoints", "show", id, "--json")).stdout;
      const [listed, shown] = [await list(), await show()];
      for (const expression of OVER) {
        for (const args of [
          ["create", "--url", URL],
          ["update", id],
        ]) {
          const r = await timed("webhooks", "endpoints", ...args, "--transform", expression);
          expect(r.code, `${args[0]} ${expression}: ${r.stderr}`).toBe(2);
          expect(r.stderr).toContain("--transform: on a sample event");
          expect(r.stderr).toMatch(/exceeded its 100 ms budget|nested deeper than 500 levels/);
          expect(r.ms).toBeLessThan(5_000);
        }
      }
      const json = await run("webhooks", "endpoints", "create", "--url", URL, "--transform", LOOP, "--json");
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stderr).error.code).toBe("TRANSFORMATION_OVER_BUDGET");
      expect(await list()).toBe(listed);
      expect(await show()).toBe(shown);

      // Failing or yielding nothing on the sample is not over the budget: kept, with a warning.
      const failing = await run("webhooks", "endpoints", "update", id, "--transform", "$error('refund')", "--json");
      expect(failing.code, failing.stderr).toBe(0);
      expect(failing.stderr).toContain("warning: --transform failed on a sample event (refund)");
      expect(JSON.parse(failing.stdout).transformation.expression).toBe("$error('refund')");
      const nothing = await run("webhooks", "endpoints", "create", "--url", URL, "--transform", "data.refund.id");
      expect(nothing.code, nothing.stderr).toBe(0);
      expect(nothing.stderr).toContain("warning: --transform produced nothing for a sample event");
    } finally {
      await db.dispose();
    }
  }, 60_000);

  it("stops `endpoints create --transform <loop>` on SIGINT and SIGTERM within 2 s, writing nothing", async () => {
    const db = await tempDb(provider);
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ALLOW_PRIVATE_NETWORKS: "1" };
    try {
      expect((await intg(["db", "migrate"], { env })).code).toBe(0);
      // Signals at several moments of the ~0.5 s run: start-up, opening the database, the trial.
      const ends: string[] = [];
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        for (const delay of [150, 250, 350, 450]) {
          const args = [BIN, "webhooks", "endpoints", "create", "--url", URL, "--transform", LOOP];
          const child = spawn(process.execPath, args, {
            env: { PATH: process.env.PATH ?? "", ...env },
            stdio: "ignore",
          });
          let signalled = 0;
          const exited = new Promise<string>((resolve) => child.on("exit", (code, s) => resolve(s ?? String(code))));
          setTimeout(() => {
            signalled = Date.now();
            child.kill(signal);
          }, delay);
          const end = await exited;
          // Exit 130 when the signal lands first, 2 when the refusal does, or the signal itself when it
          // lands before the handler is installed; never a hang.
          expect(["2", "130", signal], `${signal} at ${delay} ms`).toContain(end);
          if (signalled) expect(Date.now() - signalled, `${signal} at ${delay} ms`).toBeLessThan(2_000);
          ends.push(end);
        }
      }
      expect(ends).toContain("130"); // some signal landed while the command ran, not only before or after
      expect(JSON.parse((await intg(["webhooks", "endpoints", "list", "--json"], { env })).stdout)).toEqual([]);
    } finally {
      await db.dispose();
    }
  }, 60_000);
});
