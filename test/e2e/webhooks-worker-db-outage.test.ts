import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openSql } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { BIN, intg } from "../helpers/spawn.js";

// The database refuses for a while in the middle of a run: on SQLite another process holds the
// write lock past the 5 s busy timeout; on PostgreSQL every connection of the worker is cut
// (pg_terminate_backend, as a restart or a failover would). The worker waits and tries again:
// it used to exit 1 with the attempts it had made unrecorded, to be sent again by the next worker.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());
const N = 200;

describe.each(PROVIDERS)("a webhook worker through a database outage on %s", (provider) => {
  it("keeps delivering, records every attempt, and exits 0", async () => {
    const db = await tempDb(provider);
    const receiver = await startReceiver({ respond: () => ({ status: 200, delayMs: 20 }) });
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url };
    const ok = async (args: string[]) => {
      const r = await intg(args, { env });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    };
    await ok(["db", "migrate"]);
    const target = parseDbUrl(db.url, "--db", process.cwd());
    const sql = await openSql(target);
    try {
      const url = receiver.url;
      await ok(["webhooks", "endpoints", "create", "--url", url, "--allow-private-network", "--max-in-flight", "4"]);
      const events = Array.from({ length: N }, (_, i) => JSON.stringify({ type: "t.x", data: { i } })).join("\n");
      const batch = join(home.path, `events-${provider}.ndjson`);
      writeFileSync(batch, events);
      await ok(["webhooks", "send", "--batch-file", batch, "--allow-unknown-type"]);

      const worker = spawn(process.execPath, [BIN, "webhooks", "worker", "--once", "--concurrency", "4"], {
        env: { PATH: process.env.PATH ?? "", ...env },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      worker.stderr.on("data", (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => worker.once("exit", resolve));
      for (let i = 0; i < 400 && receiver.received.length < 20; i++) await sleep(10);
      expect(receiver.received.length).toBeGreaterThanOrEqual(20);
      expect(receiver.received.length).toBeLessThan(N);

      if (provider === "sqlite") {
        const locker = new Database(target.file!, { timeout: 5000 });
        locker.exec("BEGIN IMMEDIATE");
        await sleep(6_500); // past the worker's 5 s busy timeout
        locker.exec("COMMIT");
        locker.close();
      } else {
        const cut = await sql.all<{ pid: unknown }>(
          `SELECT pg_terminate_backend("pid") AS "pid" FROM pg_stat_activity
           WHERE "datname" = current_database() AND "pid" <> pg_backend_pid()`,
        );
        expect(cut.length).toBeGreaterThanOrEqual(2); // the main connection and the store thread's
      }

      expect(await exited, stderr).toBe(0);
      // A cut connection that was idle is opened again by its next statement, unseen; a held lock is waited out.
      if (provider === "sqlite") expect(stderr).toContain("the database refused for now");
      const rows = await sql.all<{ status: string; n: unknown }>(
        `SELECT "status", COUNT(*) AS "n" FROM "WebhookDelivery" GROUP BY "status"`,
      );
      expect(rows.map((r) => [r.status, Number(r.n)])).toEqual([["DELIVERED", N]]);
      const attempts = await sql.get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "WebhookDeliveryAttempt"`);
      // Every request made is recorded: none was left for another worker to send again.
      expect(Number(attempts!.n)).toBe(receiver.received.length);
      expect(new Set(receiver.received.map((r) => r.id)).size).toBe(N);
      expect(receiver.received.length).toBe(N);
    } finally {
      await sql.close();
      await receiver.close();
      await db.dispose();
    }
  }, 60_000);
});
