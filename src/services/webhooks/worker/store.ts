import { typed } from "../../../db/kysely.js";
import { releaseDeliveries, renewLeases } from "../../../db/queries/webhook-delivery/claim.js";
import type { SqlClient } from "../../../db/sql.js";
import type { DbTarget, Env } from "../../../db/url.js";
import { syncAuditHead } from "../../audit/head.js";
import { headSyncPending } from "../../audit/head-pending.js";
import { claimer, type ClaimResult } from "./claim.js";
import { recordBatch, type AttemptRecords, type Disabled } from "./record.js";

// Where the worker's lanes get due deliveries and leave finished attempts. The SQL store runs
// the statements on the process's own connection; the thread store (store-thread.ts) runs the same
// functions on a connection of its own in a worker thread, so the database's CPU time overlaps the
// HTTP work instead of taking turns with it on one event loop.

export interface DeliveryStore {
  /** `clockOffsetMs`: the database's clock less this process's (run.ts), for the rate limits' real time. */
  claim(owner: string, now: Date, leaseMs: number, limit: number, clockOffsetMs?: number): Promise<ClaimResult>;
  /** Records a batch of attempts (encodeAttempts) in one transaction; returns the endpoints that batch disabled. */
  record(owner: string, records: AttemptRecords, now: Date, disableAfterMs: number): Promise<Disabled[]>;
  /** Extends the lease of each of `ids` the owner still holds (a heartbeat); returns those. */
  renew(owner: string, now: Date, leaseMs: number, ids: readonly string[]): Promise<string[]>;
  /** Hands claimed deliveries that were never attempted back, due at once, for any worker. */
  release(owner: string, ids: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * `keys`: where the master key comes from, so the worker's audit events are keyed like any other.
 * `claims`: the connection claims run on, when not `sql` (the store thread's on PostgreSQL).
 */
export function sqlStore(sql: SqlClient, keys: { target: DbTarget; env: Env }, claims = sql): DeliveryStore {
  const auditCtx = (now: Date) => ({
    sql,
    now: () => now,
    actor: "system",
    db: { target: keys.target },
    env: keys.env,
  });
  return {
    claim: claimer(claims),
    // The worker's own decisions (disabling an endpoint) are audited as "system", whoever runs it.
    record: (owner, records, now, disableAfterMs) => recordBatch(auditCtx(now), owner, records, disableAfterMs),
    renew: (owner, now, leaseMs, ids) => renewLeases(typed(sql), owner, new Date(now.getTime() + leaseMs), ids),
    release: (owner, ids) => releaseDeliveries(typed(sql), owner, ids),
    // An endpoint disabled inside a batch's transaction was audited there: move the head kept
    // outside the database now that it is committed (this thread may have no command to end).
    close: async () => {
      if (headSyncPending()) await syncAuditHead(auditCtx(new Date())).catch(() => undefined);
    },
  };
}
