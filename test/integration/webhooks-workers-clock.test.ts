import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sqliteDate } from "../../src/db/sql.js";
import type { ServiceContext } from "../../src/services/context.js";
import { registerWorker, workerIdentity } from "../../src/services/webhooks/worker/presence.js";
import { listWorkers } from "../../src/services/webhooks/workers.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

// Workers whose clocks are off, on a database whose clock is real: the rows' times, the day after
// which rows are forgotten and the live/gone decision are the database's. Before, a worker 10
// minutes fast stayed live for 10 minutes after it died, and one 25 hours fast, starting, deleted
// every other worker's row.

const MIN = 60_000;
const HOUR = 60 * MIN;

describe.each(PROVIDERS)("worker heartbeats on %s's clock", (provider) => {
  let t: TestServices;
  beforeEach(async () => {
    t = await testServices(provider);
  });
  afterEach(() => t.dispose());

  /** A context whose clock runs `offsetMs` off the real one (the database's, here). */
  const skewed = (offsetMs: number): ServiceContext => ({ ...t.ctx, now: () => new Date(Date.now() + offsetMs) });
  const register = (ctx: ServiceContext, leaseMs: number) =>
    registerWorker(ctx, workerIdentity("9.9.9", ctx.now()), { lanesTotal: 2, leaseMs });
  // The operator's clock is right; the listing must not need it to be.
  const list = (all = false) => listWorkers(skewed(0), { all });
  const near = (iso: string | null, ms: number) => Math.abs(Date.parse(iso!) - ms);

  it("shows a worker 10 minutes fast gone three heartbeats after its last beat", async () => {
    // Held still, so that the claim's age measured on it is exact.
    const fastNow = new Date(Date.now() + 10 * MIN);
    const fast: ServiceContext = { ...t.ctx, now: () => fastNow };
    const w = await register(fast, 1500); // beats every 500 ms: gone after 1.5 s of silence
    w.claimed(3, new Date(fastNow.getTime() - 200));
    await w.beat(fastNow, 1);
    const [row] = await list();
    expect(row).toMatchObject({ id: w.identity.id, state: "live", lanesBusy: 1 });
    // The database's times, not the worker's; its claim kept how long before the beat it was.
    for (const at of [row!.startedAt, row!.lastHeartbeatAt]) expect(near(at, Date.now())).toBeLessThan(MIN);
    expect(Date.parse(row!.lastHeartbeatAt) - Date.parse(row!.lastClaimAt!)).toBe(200);

    await sleep(1600); // it stops beating, as when killed
    expect((await list()).map((r) => [r.id, r.state])).toEqual([[w.identity.id, "gone"]]);

    await w.stopped();
    const [stopped] = await list(true);
    expect(stopped).toMatchObject({ state: "stopped", lastClaimAt: row!.lastClaimAt });
    expect(near(stopped!.stoppedAt, Date.now())).toBeLessThan(MIN);
  });

  it.skipIf(provider !== "sqlite")("keeps SQLite's stored date form", async () => {
    const w = await register(skewed(10 * MIN), 3000);
    w.claimed(1, new Date(Date.now() + 10 * MIN));
    await w.stopped();
    const stored = await t.ctx.sql.get<Record<string, string>>(
      'SELECT "startedAt", "lastHeartbeatAt", "lastClaimAt", "stoppedAt" FROM "WebhookWorker"',
    );
    // As sqliteDate writes (Prisma's form), so every reader of the column parses and orders it alike.
    for (const text of Object.values(stored!)) expect(text).toBe(sqliteDate(new Date(text)));
  });

  it("forgets no live worker when one 25 hours fast starts, or when one 25 hours slow runs", async () => {
    const right = await register(skewed(0), 3000);
    const slow = await register(skewed(-25 * HOUR), 3000);
    const fast = skewed(25 * HOUR);
    const ahead = await register(fast, 3000);
    await ahead.beat(new Date(fast.now().getTime() + HOUR), 0); // its hourly prune, an hour on
    await right.beat(new Date(Date.now() + HOUR), 0); // and the others'
    await slow.beat(new Date(Date.now() - 24 * HOUR), 0);
    const states = Object.fromEntries((await list()).map((w) => [w.id, w.state]));
    expect(states).toEqual({ [right.identity.id]: "live", [slow.identity.id]: "live", [ahead.identity.id]: "live" });
  });
});
