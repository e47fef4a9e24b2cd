import type { SqlClient } from "../../../db/sql.js";
import { newId } from "../../../lib/ids.js";
import { recordAudit } from "../../audit/record.js";
import type { ServiceContext } from "../../context.js";
import type { PostResult } from "./http.js";
import type { Outcome } from "./schedule.js";

// Writing what a batch of attempts did, in one transaction: a commit per attempt would cap the
// worker at the disk's commit rate. Each delivery is updated only while this worker still holds
// its lease; an attempt is recorded either way, since it was made.

export interface Finished {
  deliveryId: string;
  eventId: string;
  endpointId: string;
  attemptNumber: number;
  startedAt: Date;
  requestHeaders: Record<string, string>;
  result: PostResult;
  outcome: Outcome;
}

export interface Disabled {
  endpointId: string;
  reason: string;
}

const ATTEMPT_COLUMNS = `"id","deliveryId","endpointId","attemptNumber","trigger","startedAt","durationMs","statusCode","responseHeaders","responseBody","error","succeeded","requestHeaders"`;
const ROWS_PER_INSERT = 100;

export type RecordContext = Pick<ServiceContext, "sql" | "now" | "actor">;

export async function recordBatch(ctx: RecordContext, owner: string, batch: readonly Finished[], disableAfterMs: number): Promise<Disabled[]> {
  if (batch.length === 0) return [];
  const now = ctx.now();
  return ctx.sql.transaction(async (tx) => {
    for (let i = 0; i < batch.length; i += ROWS_PER_INSERT) {
      const chunk = batch.slice(i, i + ROWS_PER_INSERT);
      const params: unknown[] = [];
      for (const f of chunk) {
        const r = f.result;
        params.push(newId("attempt", f.startedAt), f.deliveryId, f.endpointId, f.attemptNumber, "scheduled", f.startedAt, r.durationMs, r.statusCode, r.headers, r.body, r.error, f.outcome.kind === "delivered", f.requestHeaders);
      }
      const row = `(${Array(13).fill("?").join(",")})`;
      await tx.run(`INSERT INTO "WebhookDeliveryAttempt" (${ATTEMPT_COLUMNS}) VALUES ${chunk.map(() => row).join(",")}`, params);
    }
    for (const f of batch) await updateDelivery(tx, owner, f, now);

    const succeeded = new Set(batch.filter((f) => f.outcome.kind === "delivered").map((f) => f.endpointId));
    const gone = new Set(batch.filter((f) => f.outcome.kind === "gone").map((f) => f.endpointId));
    const failing = new Set(batch.filter((f) => f.outcome.kind !== "delivered" && !succeeded.has(f.endpointId)).map((f) => f.endpointId));
    for (const id of succeeded) await tx.run(`UPDATE "WebhookEndpoint" SET "lastSuccessAt" = ?, "failingSince" = NULL WHERE "id" = ?`, [now, id]);
    // 410 is the receiver saying stop: disable at once, whatever else the batch saw.
    const disabled: Disabled[] = [...gone].map((id) => ({ endpointId: id, reason: "the receiver answered 410 Gone" }));
    for (const id of failing) {
      await tx.run(`UPDATE "WebhookEndpoint" SET "failingSince" = COALESCE("failingSince", ?) WHERE "id" = ?`, [now, id]);
      if (gone.has(id)) continue;
      const cutoff = new Date(now.getTime() - disableAfterMs);
      const stale = await tx.get(`SELECT "id" FROM "WebhookEndpoint" WHERE "id" = ? AND "enabled" = ? AND "failingSince" <= ?`, [id, true, cutoff]);
      if (stale) disabled.push({ endpointId: id, reason: `no successful delivery for ${Math.round(disableAfterMs / 3_600_000)} h` });
    }
    const done: Disabled[] = [];
    for (const d of disabled) if (await disableEndpoint({ ...ctx, sql: tx }, d, now)) done.push(d);
    return done;
  });
}

async function updateDelivery(tx: SqlClient, owner: string, f: Finished, now: Date): Promise<void> {
  const o = f.outcome;
  const status = o.kind === "delivered" ? "DELIVERED" : o.kind === "retry" ? "PENDING" : "FAILED";
  const error = f.result.error ?? (o.kind === "delivered" ? null : `HTTP ${f.result.statusCode}`);
  await tx.run(
    `UPDATE "WebhookDelivery" SET "status" = ?, "attemptCount" = ?, "nextAttemptAt" = ?, "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "lastAttemptAt" = ?, "lastStatusCode" = ?, "lastError" = ?, "deliveredAt" = ?, "updatedAt" = ?
     WHERE "id" = ? AND "leaseOwner" = ? AND "status" = 'SENDING'`,
    [status, f.attemptNumber, o.kind === "retry" ? o.at : null, f.startedAt, f.result.statusCode, error, o.kind === "delivered" ? now : null, now, f.deliveryId, owner],
  );
}

/** Disables an endpoint on the worker's own decision, as `endpoints disable` would, audited as "system". */
async function disableEndpoint(ctx: RecordContext, d: Disabled, now: Date): Promise<boolean> {
  const changed = await ctx.sql.run(`UPDATE "WebhookEndpoint" SET "enabled" = ?, "disabledAt" = ?, "disabledReason" = ?, "updatedAt" = ? WHERE "id" = ? AND "enabled" = ?`, [false, now, d.reason, now, d.endpointId, true]);
  if (changed === 0) return false;
  const cancelled = await ctx.sql.run(`UPDATE "WebhookDelivery" SET "status" = 'CANCELLED', "nextAttemptAt" = NULL, "updatedAt" = ? WHERE "endpointId" = ? AND "status" = 'PENDING'`, [now, d.endpointId]);
  await recordAudit(ctx, { action: "endpoint.disable", actor: "system", targetType: "endpoint", targetId: d.endpointId, reason: d.reason, metadata: { cancelledDeliveries: cancelled } });
  return true;
}
