import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { openSql } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { BIN, intg } from "../helpers/spawn.js";

// A worker SIGKILLed while its requests hang leaves its deliveries SENDING. Once their lease has run
// out, `health` names them and `endpoints disable` cancels them: no SENDING row stays behind.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

describe.each(PROVIDERS)("deliveries orphaned by a SIGKILLed worker on %s", (provider) => {
  it("are reported by health and cancelled by disable once the lease has expired", async () => {
    const db = await tempDb(provider);
    const receiver = await startReceiver({ respond: () => ({ status: 200, delayMs: 30_000 }) });
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ACTOR: "e2e" };
    const ok = async (args: string[]) => {
      const r = await intg(args, { env });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    await ok(["db", "migrate"]); // before opening: the SQLite file and its directory are intg's to create
    const sql = await openSql(parseDbUrl(db.url, "--db", process.cwd()));
    const statuses = async () =>
      Object.fromEntries(
        (
          await sql.all<{ status: string; n: unknown }>(
            `SELECT "status", COUNT(*) AS "n" FROM "WebhookDelivery" GROUP BY "status"`,
          )
        ).map((r) => [r.status, Number(r.n)]),
      );
    try {
      await ok(["webhooks", "endpoints", "create", "--url", receiver.url, "--allow-private-network"]);
      const [ep] = JSON.parse(await ok(["webhooks", "endpoints", "list", "--json"])) as { id: string }[];
      for (let i = 0; i < 3; i++) await ok(["webhooks", "send", "t.x", "--data", `{"i":${i}}`, "--allow-unknown-type"]);

      const worker = spawn(process.execPath, [BIN, "webhooks", "worker", "--lease", "1s", "--poll", "50ms"], {
        env: { PATH: process.env.PATH ?? "", ...env },
        stdio: "ignore",
      });
      for (let i = 0; i < 200 && receiver.received.length < 3; i++) await sleep(50);
      expect(receiver.received.length).toBe(3); // all three requests are hanging at the receiver
      worker.kill("SIGKILL");
      await new Promise((resolve) => worker.once("exit", resolve));
      expect(await statuses()).toEqual({ SENDING: 3 });
      await sleep(2_500); // past the lease (renewed while the worker lived)

      const health = await intg(["webhooks", "health", "--json"], { env });
      expect(health.code, health.stderr).toBe(3);
      const [report] = JSON.parse(health.stdout) as { violations: { threshold: string; actual: number }[] }[];
      expect(report!.violations).toEqual([expect.objectContaining({ threshold: "stalled_sending", actual: 3 })]);

      const disabled = JSON.parse(await ok(["webhooks", "endpoints", "disable", ep!.id, "--json"])) as Record<
        string,
        unknown
      >;
      expect(JSON.stringify(disabled)).toContain(ep!.id);
      expect(await statuses()).toEqual({ CANCELLED: 3 });
      const after = await intg(["webhooks", "health", "--json"], { env });
      expect(
        (JSON.parse(after.stdout) as { violations: { threshold: string }[] }[])[0]!.violations.map((v) => v.threshold),
      ).toEqual(["disabled"]);
    } finally {
      await sql.close();
      await receiver.close();
      await db.dispose();
    }
  }, 60_000);
});
