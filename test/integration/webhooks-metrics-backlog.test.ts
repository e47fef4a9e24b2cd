import { spawnSync } from "node:child_process";
import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../src/services/context.js";
import { createEndpoint } from "../../src/services/webhooks/create-endpoint.js";
import {
  BACKLOG_SERIES,
  backlogGauges,
  OTHER_ENDPOINTS,
} from "../../src/services/webhooks/worker/prometheus-backlog.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";
import { ENDPOINT_DEFAULTS, sendEvents } from "../helpers/webhook-bed.js";

// The worker's backlog gauges keep a series for the BACKLOG_SERIES endpoints with the largest
// backlog and sum the rest into endpoint="other": anyone who can create endpoints grew them
// without bound. promtool must be installed, as for the worker's end-to-end metrics test.

const BIG = 3;
const SMALL = BACKLOG_SERIES + 2; // 5 endpoints more than the series kept: 5 in "other"

describe.each(PROVIDERS)("the worker's backlog gauges on %s", (provider) => {
  let t: TestServices;
  let ctx: ServiceContext;
  beforeEach(async () => {
    t = await testServices(provider);
    ctx = t.ctx;
  });
  afterEach(() => t.dispose());

  const endpoints = async (n: number, eventFilter: string[]) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const input = { ...ENDPOINT_DEFAULTS, url: `http://127.0.0.1:9/${i}`, eventFilter };
      ids.push((await createEndpoint(ctx, input)).id);
    }
    return ids;
  };
  it(`keeps ${BACKLOG_SERIES} endpoints' series, the largest, and sums the rest into one`, async () => {
    const big = await endpoints(BIG, []); // every event: 3 deliveries each
    const small = (await endpoints(SMALL, ["t.small"])).sort(); // 1 each
    await sendEvents(ctx, 1, "t.small");
    await sendEvents(ctx, 2, "t.big");
    // The smallest backlogs tie: the endpoints with the greatest ids go to "other". One of them
    // has the oldest delivery of all, an hour before the rest.
    const others = small.slice(BACKLOG_SERIES - BIG);
    const hourAgo = new Date(ctx.now().getTime() - 3_600_000);
    await ctx.sql.run(`UPDATE "WebhookDelivery" SET "createdAt" = ? WHERE "endpointId" = ?`, [hourAgo, others[2]]);
    t.advance(10_000);

    const registry = new Registry();
    backlogGauges(ctx, [registry]);
    const text = await registry.metrics();
    const series = (name: string) =>
      new Map(
        text
          .split("\n")
          .filter((l) => l.startsWith(`${name}{`))
          .map((l) => [/endpoint="([^"]*)"/.exec(l)![1]!, Number(l.split(" ").at(-1))]),
      );
    const sizes = series("intg_webhook_backlog_deliveries");
    const ages = series("intg_webhook_backlog_oldest_age_seconds");
    expect(sizes.size).toBe(BACKLOG_SERIES + 1); // 55 before: one per endpoint
    expect(ages.size).toBe(BACKLOG_SERIES + 1);
    expect([...sizes.keys()].sort()).toEqual([...ages.keys()].sort());
    for (const id of big) expect(sizes.get(id)).toBe(3);
    for (const id of small.slice(0, BACKLOG_SERIES - BIG)) expect(sizes.get(id)).toBe(1);
    expect(sizes.get(OTHER_ENDPOINTS)).toBe(others.length);
    // Every waiting delivery is counted once: the series add up to the whole backlog.
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(BIG * 3 + SMALL);
    // "other" is as old as its oldest endpoint's backlog; the others, ten seconds.
    expect(ages.get(OTHER_ENDPOINTS)).toBe(3_610);
    expect(ages.get(big[0]!)).toBe(10);

    const checked = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    if (checked.error) throw new Error(`promtool is missing (${checked.error.message}): install prometheus`);
    expect(checked.status, checked.stdout + checked.stderr).toBe(0);
  });
});
