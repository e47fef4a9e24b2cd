import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { sparkline } from "../../src/lib/sparkline.js";
import type { WebhookDeliveryMetrics } from "../../src/types/integration/webhook.types.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { createTestIO, runCli, testDeps } from "../helpers/io.js";
import { startReceiver } from "../helpers/receiver.js";
import { intg } from "../helpers/spawn.js";

// `webhooks metrics` on a known scenario through bin/intg: event n=1 always fails (two attempts,
// then FAILED), n=2 and n=3 are delivered first time (n=3 after 300 ms), n=4 is never attempted.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

describe.each(PROVIDERS)("webhooks metrics through bin/intg on %s", (provider) => {
  it("counts, rates, percentiles, backlog and the series of a known scenario; a chart on a TTY", async () => {
    const db = await tempDb(provider);
    const receiver = await startReceiver({
      respond: (r) => {
        const n = (JSON.parse(r.body) as { data: { n: number } }).data.n;
        return n === 1 ? { status: 500 } : { status: 200, delayMs: n === 3 ? 300 : 0 };
      },
    });
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url };
    const ok = async (...args: string[]) => {
      const r = await intg(args, { env });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r;
    };
    try {
      await ok("db", "migrate");
      const ep = JSON.parse(
        (
          await ok(
            "webhooks",
            "endpoints",
            "create",
            "--url",
            receiver.url,
            "--allow-private-network",
            "--retry-schedule",
            "100ms",
            "--json",
          )
        ).stdout,
      ) as { id: string; secret: string };
      const quiet = JSON.parse(
        (
          await ok(
            "webhooks",
            "endpoints",
            "create",
            "--url",
            "http://127.0.0.1:9/none",
            "--allow-private-network",
            "--events",
            "nothing.*",
            "--json",
          )
        ).stdout,
      ) as { id: string };
      for (const n of [1, 2, 3])
        await ok("webhooks", "send", "order.created", "--data", JSON.stringify({ n }), "--allow-unknown-type");
      await ok("webhooks", "worker", "--once");
      await sleep(150);
      await ok("webhooks", "worker", "--once"); // n=1's second and last attempt fails
      await ok("webhooks", "send", "order.created", "--data", '{"n":4}', "--allow-unknown-type");

      const all = JSON.parse((await ok("webhooks", "metrics", "--json")).stdout) as WebhookDeliveryMetrics[];
      const m = all.find((x) => x.endpointId === ep.id)!;
      expect(m).toMatchObject({
        deliveries: 4,
        delivered: 2,
        failed: 1,
        attempts: 4,
        attemptsPerDelivery: 1,
        backlog: { size: 1 },
      });
      expect(m.successRate).toBeCloseTo(2 / 3);
      expect(m.latencyMs.p50!).toBeLessThan(300);
      expect(m.latencyMs.p95!).toBeGreaterThanOrEqual(300); // nearest rank of 4: the slowest
      expect(m.latencyMs.p99).toBe(m.latencyMs.p95);
      expect(m.backlog.oldestAgeMs).not.toBeNull();
      expect(m.bucketMs).toBe(30 * 60_000); // 24h in 48 bars
      expect(m.series).toHaveLength(48);
      expect(m.series.reduce((s, b) => s + b.delivered, 0)).toBe(2);
      expect(m.series.reduce((s, b) => s + b.failed, 0)).toBe(2);
      expect(all.find((x) => x.endpointId === quiet.id)).toMatchObject({
        deliveries: 0,
        successRate: null,
        attemptsPerDelivery: null,
        latencyMs: { p50: null },
      });

      const one = JSON.parse(
        (await ok("webhooks", "metrics", "--endpoint", ep.id, "--since", "2h", "--json")).stdout,
      ) as WebhookDeliveryMetrics[];
      expect(one.map((x) => [x.endpointId, x.series.length, x.bucketMs])).toEqual([[ep.id, 24, 5 * 60_000]]);

      const table = await ok("webhooks", "metrics", "--endpoint", ep.id);
      expect(table.stdout).toContain("66.7%");
      expect(table.stdout).not.toContain("delivered ·"); // no chart off a TTY

      const tty = await runCli(
        ["webhooks", "metrics", "--endpoint", ep.id, "--since", "2h"],
        testDeps({ io: createTestIO({ stdoutIsTTY: true }), env, now: () => new Date() }),
      );
      expect(tty.code, tty.stderr).toBe(0);
      // eslint-disable-next-line no-control-regex -- colour codes: a TTY gets colour
      const chart = tty.stdout
        .replace(/\x1b\[[0-9;]*m/g, "")
        .split("\n")
        .filter((l) => /delivered |failed {4}/.test(l));
      expect(chart).toHaveLength(2);
      expect(chart[0]).toMatch(/delivered [·▁▂▃▄▅▆▇█]{24}$/);
      expect(chart[0]).toContain("█"); // both deliveries in the last bar, the tallest
      expect(chart[1]).toMatch(/failed {4}[·▁▂▃▄▅▆▇█]{24}$/);

      for (const bad of [["--since", "whenever"], ["--since"], ["--since", "2999-01-01"]])
        expect((await intg(["webhooks", "metrics", ...bad], { env })).code, bad.join(" ")).toBe(2);
      expect((await intg(["webhooks", "metrics", "--endpoint", "ep_missing"], { env })).code).toBe(5);
    } finally {
      await receiver.close();
      await db.dispose();
    }
  }, 60_000);
});

describe("sparkline", () => {
  it("scales to the largest value and shows zero as a dot", () => {
    expect(sparkline([0, 1, 4, 8])).toBe("·▁▄█");
    expect(sparkline([0, 0])).toBe("··");
    expect(sparkline([1], 8)).toBe("▁");
  });
});
