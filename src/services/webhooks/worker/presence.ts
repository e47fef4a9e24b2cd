import { hostname } from "node:os";
import { typed } from "../../../db/kysely.js";
import { beatWorker, insertWorker, markWorkerStopped, pruneWorkers } from "../../../db/queries/webhook-worker.js";
import { newId } from "../../../lib/ids.js";
import type { ServiceContext } from "../../context.js";
import { heartbeatInterval } from "./run.js";

// A worker's row in "WebhookWorker": written when it starts, on every heartbeat (its lease
// renewal), and when it exits cleanly. A worker killed or cut off stops beating; `webhooks workers`
// then shows it as gone. Rows silent for a day are forgotten, by whichever worker notices first.
// Every time in the row, and the day, is on the database's clock, so a worker whose clock is off
// neither looks live after it died nor forgets the others.

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
  /** The worker's heartbeat, timed by the database; `at`, when its leases were renewed, paces the pruning. */
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
  const row = {
    ...identity,
    lanesTotal: options.lanesTotal,
    leaseMs: options.leaseMs,
    heartbeatMs: Math.round(heartbeatInterval(options.leaseMs)),
  };
  // The row's times are the database's (see webhook-worker.ts): this clock only measures how long
  // ago the worker started or claimed, which its offset from the others' does not change.
  const startedAt = ctx.now().getTime();
  const ago = (t: number) => Math.max(0, ctx.now().getTime() - t);
  let lastClaimAt: number | null = null;
  let writtenClaimAt: number | null = null; // what the row holds: a beat leaves that as it is
  const newClaimAgo = (claim: number | null) => (claim === null || claim === writtenClaimAt ? null : ago(claim));
  let prunedAt = startedAt;
  await pruneWorkers(db, FORGET_AFTER_MS);
  await insertWorker(db, { ...row, lanesBusy: 0 }, { startedMs: 0, lastClaimMs: null });
  return {
    identity,
    claimed: (taken, at) => {
      if (taken > 0) lastClaimAt = at.getTime();
    },
    beat: async (at, lanesBusy) => {
      const claim = lastClaimAt; // a claim noted while the statements run is the next beat's
      // A process stopped for longer than a day was forgotten meanwhile: it registers again.
      if (!(await beatWorker(db, { id: identity.id, lanesBusy, newClaimAgoMs: newClaimAgo(claim) }))) {
        const lastClaimMs = claim === null ? null : ago(claim);
        await insertWorker(db, { ...row, lanesBusy }, { startedMs: ago(startedAt), lastClaimMs });
      }
      writtenClaimAt = claim;
      if (at.getTime() - prunedAt >= PRUNE_EVERY_MS) {
        prunedAt = at.getTime();
        await pruneWorkers(db, FORGET_AFTER_MS);
      }
    },
    // A run shorter than a heartbeat claimed and delivered, yet showed no last claim.
    stopped: () => markWorkerStopped(db, identity.id, newClaimAgo(lastClaimAt)),
  };
}
