import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { JITTER_RATIO } from "../../src/services/webhooks/endpoint-rows.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

// `webhooks health` as a CI gate through bin/intg: exit 3 while the receiver is down (its
// connections are cut), 0 once it is back; thresholds on the attempts of a window; disabled
// endpoints always fail.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

describe.each(PROVIDERS)("webhooks health through bin/intg on %s", (provider) => {
  it("exits 3 while the receiver is down and 0 when it is back", async () => {
    let down = true;
    const pings: string[] = [];
    const server = createServer((req, res) => {
      if (down) return void req.socket.destroy();
      let body = "";
      req
        .on("data", (c) => (body += c))
        .on("end", () => {
          if (JSON.parse(body).type === "webhook.ping") pings.push(String(req.headers["webhook-signature"]));
          res.end("ok");
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    const db = await tempDb(provider);
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url };
    const run = (...args: string[]) => intg(args, { env });
    try {
      expect((await run("db", "migrate")).code).toBe(0);
      const ep = JSON.parse(
        (
          await run(
            "webhooks",
            "endpoints",
            "create",
            "--url",
            url,
            "--allow-private-network",
            // Long enough that the first `worker --once` ends before the retry is due: at 100ms a
            // run slowed by a loaded machine took the retry itself, and the delivery failed for good.
            "--retry-schedule",
            "1s",
            "--json",
          )
        ).stdout,
      ) as { id: string };
      expect((await run("webhooks", "send", "order.created", "--data", '{"n":1}', "--allow-unknown-type")).code).toBe(
        0,
      );
      expect((await run("webhooks", "worker", "--once")).code).toBe(0); // the first attempt fails
      // At the latest: the attempt ended before the worker did, and its 1 s wait is jittered up to +20%.
      // (Taken as 1 s, the next run came too early once the worker stopped writing its last batch 50 ms late.)
      const retryDue = Date.now() + 1000 * (1 + JITTER_RATIO);

      const downPing = await run("webhooks", "health", "--ping", "--json");
      expect(downPing.code).toBe(3);
      const [result] = JSON.parse(downPing.stdout) as {
        healthy: boolean;
        failureRate: number;
        violations: { threshold: string }[];
        ping: { succeeded: boolean };
      }[];
      expect(result).toMatchObject({ healthy: false, failureRate: 1, ping: { succeeded: false } });
      expect(result!.violations.map((v) => v.threshold).sort()).toEqual(["max_failure_rate", "ping"]);
      expect(JSON.parse(downPing.stderr)).toMatchObject({ error: { code: "WEBHOOKS_UNHEALTHY" } });

      down = false;
      const back = new Date(Date.now() - 1).toISOString();
      await sleep(Math.max(0, retryDue - Date.now()) + 50);
      expect((await run("webhooks", "worker", "--once")).stderr).toContain("1 delivered");
      const upPing = await run("webhooks", "health", "--ping", "--since", back);
      expect(upPing.code, upPing.stderr).toBe(0);
      expect(upPing.stdout).toContain(ep.id);
      expect(upPing.stderr).toContain("1 endpoint(s) healthy");
      expect(pings).toHaveLength(1);
      expect(pings[0]).toMatch(/^v1,/); // signed like any delivery

      // The whole hour still holds the outage: half the attempts failed.
      expect((await run("webhooks", "health", "--since", "1h")).code).toBe(3);
      expect((await run("webhooks", "health", "--since", "1h", "--max-failure-rate", "60%")).code).toBe(0);

      expect((await run("webhooks", "endpoints", "disable", ep.id, "--yes")).code).toBe(0);
      const disabled = await run("webhooks", "health", "--endpoint", ep.id, "--since", back);
      expect(disabled.code).toBe(3);
      expect(disabled.stdout).toContain("disabled");

      for (const bad of [
        ["--max-failure-rate", "lots"],
        ["--max-p95", "soon"],
        ["--since", "whenever"],
        ["--endpoint", ep.id, "--all"],
      ]) {
        expect((await run("webhooks", "health", ...bad)).code, bad.join(" ")).toBe(2);
      }
      expect((await run("webhooks", "health", "--endpoint", "ep_missing")).code).toBe(5);
    } finally {
      server.closeAllConnections();
      server.close();
      await db.dispose();
    }
  }, 60_000);
});
