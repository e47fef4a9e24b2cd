import { hostname } from "node:os";
import { typed } from "../../../db/kysely.js";
import { beatWorker, insertWorker, markWorkerStopped, pruneWorkers } from "../../../db/queries/webhook-worker.js";
import { newId } from "../../../lib/ids.js";
import type { ServiceContext } from "../../context.js";
import { heartbeatInterval } from "./run.js";

// A worker's row in "WebhookWorker": written when it starts, on every heartbeat (its lease
// renewal), and when it exits cleanly. A worker killed or cut off stops beating; `webhooks workers`
// then shows it as gone. Rows silent for a day are forgotten, by whichever worker notices first.

export const FORGET_AFTER_MS = 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

export interface WorkerIdentity {
  /** Also the owner of the leases it takes (WebhookDelivery.leaseOwner). */
  id: string;
  host: string;
  pid: number;
  version: string;
}

export interface WorkerPresence {
  readonly identity: WorkerIdentity;
  /** The worker's heartbeat; `at` is when its leases were renewed. */
  beat(at: Date, lanesBusy: number): Promise<void>;
  /** Notes a claim; one that took deliveries is the worker's "last claim". */
  claimed(taken: number, at: Date): void;
  stopped(): Promise<void>;
}

export function workerIdentity(version: string, now: Date): WorkerIdentity {
  return { id: newId("worker", now), host: hostname(), pid: process.pid, version };
}

export async function registerWorker(
  ctx: ServiceContext,
  identity: WorkerIdentity,
  options: { lanesTotal: number; leaseMs: number },
): Promise<WorkerPresence> {
  const db = typed(ctx.sql);
  const startedAt = ctx.now();
  const row = {
    ...identity,
    lanesTotal: options.lanesTotal,
    leaseMs: options.leaseMs,
    heartbeatMs: Math.round(heartbeatInterval(options.leaseMs)),
    startedAt,
  };
  let lastClaimAt: Date | null = null;
  let prunedAt = startedAt.getTime();
  await pruneWorkers(db, new Date(prunedAt - FORGET_AFTER_MS));
  await insertWorker(db, { ...row, lanesBusy: 0, lastHeartbeatAt: startedAt, lastClaimAt });
  return {
    identity,
    claimed: (taken, at) => {
      if (taken > 0) lastClaimAt = at;
    },
    beat: async (at, lanesBusy) => {
      // A process stopped for longer than a day was forgotten meanwhile: it registers again.
      if (!(await beatWorker(db, { id: identity.id, at, lanesBusy, lastClaimAt })))
        await insertWorker(db, { ...row, lanesBusy, lastHeartbeatAt: at, lastClaimAt });
      if (at.getTime() - prunedAt >= PRUNE_EVERY_MS) {
        prunedAt = at.getTime();
        await pruneWorkers(db, new Date(prunedAt - FORGET_AFTER_MS));
      }
    },
    // A run shorter than a heartbeat claimed and delivered, yet showed no last claim.
    stopped: () => markWorkerStopped(db, identity.id, ctx.now(), lastClaimAt),
  };
}
