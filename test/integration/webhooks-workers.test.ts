import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FORGET_AFTER_MS, registerWorker, workerIdentity } from "../../src/services/webhooks/worker/presence.js";
import { listWorkers } from "../../src/services/webhooks/workers.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

// A worker's row from its heartbeats, on a pinned clock: live within three heartbeats (its lease),
// gone after, stopped on a clean exit; rows silent for a day are forgotten by the next worker to
// start or beat, and a worker whose row was forgotten while it was paused registers again.

describe.each(PROVIDERS)("worker heartbeats on %s", (provider) => {
  let t: TestServices;
  beforeEach(async () => {
    t = await testServices(provider);
  });
  afterEach(() => t.dispose());

  const states = async (all = false) =>
    Object.fromEntries((await listWorkers(t.ctx, { all })).map((w) => [w.id, w.state]));
  const register = (lanesTotal = 4) =>
    registerWorker(t.ctx, workerIdentity("9.9.9", t.ctx.now()), { lanesTotal, leaseMs: 3000 });

  it("is live within three heartbeats, gone after, and live again when it beats", async () => {
    const w = await register();
    const [row] = await listWorkers(t.ctx, { all: false });
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
    const [beaten] = await listWorkers(t.ctx, { all: false });
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
    const stopped = (await listWorkers(t.ctx, { all: true })).find((w) => w.id === a.identity.id)!;
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
