import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqlClient } from "../../src/db/sql.js";
import type { ServiceContext } from "../../src/services/context.js";
import { FORGET_AFTER_MS, registerWorker, workerIdentity } from "../../src/services/webhooks/worker/presence.js";
import { listWorkers } from "../../src/services/webhooks/workers.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

// A worker's row from its heartbeats, on a pinned clock: live within three heartbeats (its lease),
// gone after, stopped on a clean exit; rows silent for a day are forgotten by the next worker to
// start or beat, and a worker whose row was forgotten while it was paused registers again.
// The rows' times are the database's: the test pins its clock to the same time as the worker's (the
// real clocks disagreeing is webhooks-workers-clock.test.ts).

/**
 * `client` with the database's clock pinned to `now` for the statements on "WebhookWorker": the
 * time they take from the server (PostgreSQL's statement_timestamp(), SQLite's 'now') is given.
 */
function pinDatabaseClock(client: SqlClient, now: () => Date): SqlClient {
  const pin = (text: string) =>
    client.provider === "postgresql"
      ? text.replaceAll("statement_timestamp()", `timestamptz '${now().toISOString()}'`)
      : text.replaceAll("'now'", `'${now().toISOString()}'`);
  return {
    provider: client.provider,
    all: (text, params) => client.all(pin(text), params),
    get: (text, params) => client.get(pin(text), params),
    rows: (text, params) => client.rows(pin(text), params),
    query: (text, params, first) => client.query(pin(text), params, first),
    run: (text, params) => client.run(pin(text), params),
    transaction: (fn) => client.transaction((tx) => fn(pinDatabaseClock(tx, now))),
    close: () => client.close(),
  };
}

describe.each(PROVIDERS)("worker heartbeats on %s", (provider) => {
  let t: TestServices;
  let ctx: ServiceContext;
  beforeEach(async () => {
    t = await testServices(provider);
    ctx = { ...t.ctx, sql: pinDatabaseClock(t.ctx.sql, t.ctx.now) };
  });
  afterEach(() => t.dispose());

  const states = async (all = false) =>
    Object.fromEntries((await listWorkers(ctx, { all })).map((w) => [w.id, w.state]));
  const register = (lanesTotal = 4) =>
    registerWorker(ctx, workerIdentity("9.9.9", t.ctx.now()), { lanesTotal, leaseMs: 3000 });

  it("is live within three heartbeats, gone after, and live again when it beats", async () => {
    const w = await register();
    const [row] = await listWorkers(ctx, { all: false });
    expect(row).toMatchObject({ id: w.identity.id, pid: process.pid, version: "9.9.9", state: "live" });
    expect(row).toMatchObject({ lanesTotal: 4, lanesBusy: 0, leaseMs: 3000, heartbeatMs: 1000, lastClaimAt: null });

    t.advance(3000); // exactly three heartbeats: still live
    expect(await states()).toEqual({ [w.identity.id]: "live" });
    t.advance(1);
    expect(await states()).toEqual({ [w.identity.id]: "gone" });

    w.claimed(0, t.ctx.now()); // an empty claim is not "the last claim"
    const claimAt = new Date(t.ctx.now().getTime() - 10);
    w.claimed(7, claimAt);
    await w.beat(t.ctx.now(), 3);
    const [beaten] = await listWorkers(ctx, { all: false });
    expect(beaten).toMatchObject({ state: "live", lanesBusy: 3, lastClaimAt: claimAt.toISOString() });
    expect(beaten!.lastHeartbeatAt).toBe(t.ctx.now().toISOString());
  });

  it("is stopped after a clean exit, listed only with all", async () => {
    const a = await register();
    const b = await register();
    await a.beat(t.ctx.now(), 2);
    const claimAt = t.ctx.now();
    a.claimed(3, claimAt); // after its last beat: a run shorter than a heartbeat
    await a.stopped();
    expect(await states()).toEqual({ [b.identity.id]: "live" });
    expect(await states(true)).toEqual({ [a.identity.id]: "stopped", [b.identity.id]: "live" });
    const stopped = (await listWorkers(ctx, { all: true })).find((w) => w.id === a.identity.id)!;
    expect(stopped.lanesBusy).toBe(0);
    expect(stopped.lastClaimAt).toBe(claimAt.toISOString());
    expect(stopped.stoppedAt).toBe(t.ctx.now().toISOString());
    t.advance(60_000); // a stopped worker never turns gone
    expect((await states(true))[a.identity.id]).toBe("stopped");
  });

  it("forgets workers silent for a day, and registers again one that was forgotten while paused", async () => {
    const old = await register();
    const stopped = await register();
    await stopped.stopped();
    t.advance(FORGET_AFTER_MS - 1);
    const fresh = await register(); // not yet a day
    expect(Object.keys(await states(true)).sort()).toEqual(
      [old.identity.id, stopped.identity.id, fresh.identity.id].sort(),
    );
    t.advance(2);
    const next = await register(); // a day and a millisecond: the first two go
    expect(Object.keys(await states(true)).sort()).toEqual([fresh.identity.id, next.identity.id].sort());

    // `old` was paused (SIGSTOP, a suspended VM) through all that: its next heartbeat puts it back.
    await old.beat(t.ctx.now(), 1);
    expect(await states()).toMatchObject({ [old.identity.id]: "live" });

    // A running worker's hourly prune forgets the others that went silent.
    t.advance(FORGET_AFTER_MS + 1);
    await old.beat(t.ctx.now(), 0);
    expect(Object.keys(await states(true))).toEqual([old.identity.id]);
  });
});
