import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { ConflictError } from "../../../errors.js";
import { typed } from "../../../db/kysely.js";
import { holdDelivery, insertHeldDelivery, renewHeld } from "../../../db/queries/webhook-delivery/replay.js";
import type { SqlClient } from "../../../db/sql.js";
import { newId } from "../../../lib/ids.js";
import type { WebhookReplayRequest } from "../../../types/integration/webhook.types.js";
import type { ServiceContext } from "../../context.js";
import { databaseClock } from "../database-clock.js";
import type { Finished } from "../worker/record.js";
import { DEFAULT_DISABLE_AFTER_MS, runWorker, type WorkerSummary } from "../worker/run.js";
import { withPayloads } from "../worker/payloads.js";
import { sqlStore, type DeliveryStore } from "../worker/store.js";
import { planReplay, type ReplayPlan } from "./plan.js";

// Applying a replay: the planned deliveries are leased to this replay in one transaction (and the
// missing ones of a "current" routing created, leased), then sent by the worker's own engine as
// manual attempts: same signing (the original webhook-id, the endpoint's current secret), same
// recording. A running worker cannot take a held delivery; if this process dies, the lease runs
// out and the workers send what it had not (at least once, never lost).

export interface ReplayOptions {
  concurrency: number;
  leaseMs: number;
  signal?: AbortSignal;
  onAttempt?: (f: Finished) => void;
  /**
   * Where attempts are recorded; defaults to the context's connection (the CLI opens its store
   * thread). Opened only once there is something to send, so a refused or dry run starts nothing.
   */
  openStore?: () => Promise<DeliveryStore>;
}

export interface ReplayResult {
  plan: ReplayPlan;
  /** Null for a dry run. */
  summary: WorkerSummary | null;
  /** Planned deliveries a worker took between the plan and the hold: they are being sent anyway. */
  lost: number;
}

export async function replay(
  ctx: ServiceContext,
  request: WebhookReplayRequest,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const owner = `replay:${hostname()}:${randomBytes(6).toString("hex")}`;
  // Its leases are on the database's clock, as a worker's: one behind it ran out as they were taken.
  const clock = databaseClock(ctx);
  if (!request.dryRun) await clock.measure();
  const { plan, held } = await ctx.sql.transaction(async (tx) => {
    const plan = await planReplay({ sql: tx }, request);
    if (request.planHash !== null && request.planHash !== plan.planHash) {
      throw new ConflictError(
        `The replay plan changed since it was hashed (${request.planHash}; it is now ${plan.planHash}).`,
        "Run the same replay with --dry-run again, check the plan, and apply its new hash.",
        "PLAN_CHANGED",
      );
    }
    return { plan, held: request.dryRun ? [] : await hold(tx, owner, plan, clock.now(), options.leaseMs) };
  });
  if (request.dryRun) return { plan, summary: null, lost: 0 };
  const base = options.openStore
    ? await options.openStore()
    : sqlStore(ctx.sql, { target: ctx.db.target, env: ctx.env });
  const store: DeliveryStore = { ...base, claim: nextHeld(ctx.sql, held) };
  const summary = await runWorker(ctx, {
    concurrency: options.concurrency,
    once: true,
    maxTimeMs: null,
    leaseMs: options.leaseMs,
    disableAfterMs: DEFAULT_DISABLE_AFTER_MS,
    pollMs: 50,
    signal: options.signal,
    onAttempt: options.onAttempt,
    workerId: owner,
    trigger: "manual",
    store,
  });
  return { plan, summary, lost: plan.pairs.length - held.length };
}

/** Leases every planned delivery to the replay (creating the missing ones); returns the ids it holds. */
async function hold(tx: SqlClient, owner: string, plan: ReplayPlan, now: Date, leaseMs: number): Promise<string[]> {
  const db = typed(tx);
  const lease = new Date(now.getTime() + leaseMs);
  const held: string[] = [];
  for (const pair of plan.pairs) {
    if (pair.deliveryId === null) {
      const id = newId("delivery", now);
      const values = { id, eventId: pair.eventId, endpointId: pair.endpointId, owner, lease, now };
      if (await insertHeldDelivery(db, values)) held.push(id), (pair.deliveryId = id);
      continue;
    }
    if (await holdDelivery(db, { id: pair.deliveryId, owner, lease, now })) held.push(pair.deliveryId);
  }
  return held;
}

/** The replay's claim: the next held deliveries, their lease renewed, as long as it still holds them. */
function nextHeld(sql: SqlClient, held: readonly string[]): DeliveryStore["claim"] {
  let next = 0;
  return async (owner, now, leaseMs, limit) => {
    // An empty answer ends the run, so keep going past chunks whose leases were all lost.
    for (;;) {
      const chunk = held.slice(next, next + Math.min(limit, 500));
      next += chunk.length;
      // A replay is one more try each, sent at once: no endpoint's rate limit paces it.
      if (chunk.length === 0) return { items: [], heldMs: null };
      const rows = await renewHeld(typed(sql), owner, chunk, new Date(now.getTime() + leaseMs), now);
      const items = await withPayloads(sql, rows);
      if (items.length > 0) return { items, heldMs: null };
    }
  };
}
