import { col, type SqlClient } from "../../../db/sql.js";
import { formatDuration } from "../../../lib/duration.js";
import { newId } from "../../../lib/ids.js";
import { recordAudit } from "../../audit/record.js";
import type { ServicesCtx } from "../../integrity/root.js";
import type { PostResult } from "./http.js";
import type { Outcome } from "./schedule.js";
import { cancelEndpointBacklog } from "../cancel-deliveries.js";

// Writing what a batch of attempts did, in one transaction: a commit per attempt would cap the
// worker at the disk's commit rate. Each delivery is updated only while this worker still holds
// its lease; an attempt is recorded either way, since it was made.

export interface Finished {
  deliveryId: string;
  eventId: string;
  endpointId: string;
  attemptNumber: number;
  trigger: "scheduled" | "manual";
  startedAt: Date;
  /** Null when no request went out (a transformation failed, the endpoint was refused). */
  requestHeaders: Record<string, string> | null;
  /** The bytes signed and sent when they are not the event's payload; null: the payload (or nothing sent). */
  requestBody: string | null;
  result: PostResult;
  outcome: Outcome;
}

export interface Disabled {
  endpointId: string;
  reason: string;
}

/**
 * A batch of finished attempts as the store receives it: one flat array, ATTEMPT_FIELDS values an
 * attempt, headers already JSON, dates as epoch milliseconds. Sent to the store thread, it is
 * copied as a run of strings and numbers; a list of nested objects costs several times that per
 * attempt at thousands a second.
 */
export type AttemptRecords = (string | number | null)[];
/** Where each value of an attempt sits among its ATTEMPT_FIELDS, in encodeAttempts' order. */
const F = {
  delivery: 0,
  endpoint: 1,
  attemptNumber: 2,
  trigger: 3,
  startedAt: 4,
  durationMs: 5,
  statusCode: 6,
  responseHeaders: 7,
  responseBody: 8,
  error: 9,
  outcome: 10,
  retryAt: 11,
  requestHeaders: 12,
  requestBody: 13,
} as const;
const ATTEMPT_FIELDS = 14;

export function encodeAttempts(batch: readonly Finished[]): AttemptRecords {
  const out: AttemptRecords = [];
  for (const f of batch) {
    const r = f.result;
    const o = f.outcome;
    out.push(f.deliveryId, f.endpointId, f.attemptNumber, f.trigger, f.startedAt.getTime(), r.durationMs, r.statusCode);
    out.push(r.headers === null ? null : JSON.stringify(r.headers), r.body, r.error, o.kind);
    const sentHeaders = f.requestHeaders === null ? null : JSON.stringify(f.requestHeaders);
    out.push(o.kind === "retry" ? o.at.getTime() : null, sentHeaders, f.requestBody);
  }
  return out;
}

const ATTEMPT_COLUMNS = `"id","deliveryId","endpointId","attemptNumber","trigger","startedAt","durationMs","statusCode",
  "responseHeaders","responseBody","error","succeeded","requestHeaders","requestBody"`;
const ROWS_PER_STATEMENT = 100;
const STATUS: Record<string, string> = { delivered: "DELIVERED", retry: "PENDING", failed: "FAILED", gone: "FAILED" };

export type RecordContext = ServicesCtx;

export async function recordBatch(
  ctx: RecordContext,
  owner: string,
  records: AttemptRecords,
  disableAfterMs: number,
): Promise<Disabled[]> {
  const count = records.length / ATTEMPT_FIELDS;
  if (count === 0) return [];
  const now = ctx.now();
  const outcomes: { endpointId: string; kind: string }[] = [];
  for (let i = 0; i < records.length; i += ATTEMPT_FIELDS)
    outcomes.push({ endpointId: records[i + F.endpoint] as string, kind: records[i + F.outcome] as string });
  return ctx.sql.transaction(async (tx) => {
    // With no index for the status test (see updateDeliveries), a young PostgreSQL table's planner
    // still chose a scan of the whole table, joined to every value row; with seq scans priced out
    // it finds each delivery by its primary key. For this transaction only.
    if (tx.provider === "postgresql") await tx.run(`SET LOCAL enable_seqscan = off`);
    for (let first = 0; first < count; first += ROWS_PER_STATEMENT) {
      const last = Math.min(count, first + ROWS_PER_STATEMENT);
      await insertAttempts(tx, records, first, last);
      await updateDeliveries(tx, owner, records, first, last, now);
    }

    const succeeded = new Set(outcomes.filter((o) => o.kind === "delivered").map((o) => o.endpointId));
    const gone = new Set(outcomes.filter((o) => o.kind === "gone").map((o) => o.endpointId));
    const failing = new Set(
      outcomes.filter((o) => o.kind !== "delivered" && !succeeded.has(o.endpointId)).map((o) => o.endpointId),
    );
    for (const id of succeeded)
      await tx.run(`UPDATE "WebhookEndpoint" SET "lastSuccessAt" = ?, "failingSince" = NULL WHERE "id" = ?`, [now, id]);
    // 410 is the receiver saying stop: disable at once, whatever else the batch saw.
    const disabled: Disabled[] = [...gone].map((id) => ({ endpointId: id, reason: "the receiver answered 410 Gone" }));
    for (const id of failing) {
      await tx.run(`UPDATE "WebhookEndpoint" SET "failingSince" = COALESCE("failingSince", ?) WHERE "id" = ?`, [
        now,
        id,
      ]);
      if (gone.has(id)) continue;
      const cutoff = new Date(now.getTime() - disableAfterMs);
      const stale = await tx.get<{ failingSince: unknown }>(
        `SELECT "failingSince" FROM "WebhookEndpoint" WHERE "id" = ? AND "enabled" = ? AND "failingSince" <= ?`,
        [id, true, cutoff],
      );
      const failingFor = stale ? now.getTime() - col.date(stale.failingSince).getTime() : 0;
      if (stale) disabled.push({ endpointId: id, reason: staleReason(failingFor, disableAfterMs) });
    }
    const done: Disabled[] = [];
    for (const d of disabled) if (await disableEndpoint({ ...ctx, sql: tx }, d, now)) done.push(d);
    return done;
  });
}

async function insertAttempts(tx: SqlClient, records: AttemptRecords, first: number, last: number): Promise<void> {
  const params: unknown[] = [];
  for (let i = first * ATTEMPT_FIELDS; i < last * ATTEMPT_FIELDS; i += ATTEMPT_FIELDS) {
    const startedAt = new Date(records[i + F.startedAt] as number);
    params.push(
      newId("attempt", startedAt),
      records[i + F.delivery],
      records[i + F.endpoint],
      records[i + F.attemptNumber],
      records[i + F.trigger],
      startedAt,
      records[i + F.durationMs],
      records[i + F.statusCode],
    );
    params.push(records[i + F.responseHeaders], records[i + F.responseBody], records[i + F.error]);
    params.push(records[i + F.outcome] === "delivered");
    params.push(records[i + F.requestHeaders], records[i + F.requestBody]);
  }
  const row = `(${Array(ATTEMPT_FIELDS).fill("?").join(",")})`;
  await tx.run(
    `INSERT INTO "WebhookDeliveryAttempt" (${ATTEMPT_COLUMNS}) VALUES ${Array(last - first)
      .fill(row)
      .join(",")}`,
    params,
  );
}

/**
 * One UPDATE for up to ROWS_PER_STATEMENT deliveries, joined to their new values (a statement per
 * delivery cost twice as much on SQLite, and a round trip each on PostgreSQL). Only deliveries
 * this worker still holds change. A delivery twice in a batch (its lease ran out while it waited,
 * and this worker claimed it again) keeps the first attempt's outcome, as one UPDATE each would.
 * The status test is written so no index can serve it: a planner without statistics (a young
 * PostgreSQL table) otherwise walks every SENDING row through the status index and joins each to
 * every value row, where it should find each delivery by its id (recordBatch prices out the
 * other wrong plan, a sequential scan).
 */
async function updateDeliveries(
  tx: SqlClient,
  owner: string,
  records: AttemptRecords,
  first: number,
  last: number,
  now: Date,
): Promise<void> {
  const params: unknown[] = [now];
  const seen = new Set<string>();
  for (let i = first * ATTEMPT_FIELDS; i < last * ATTEMPT_FIELDS; i += ATTEMPT_FIELDS) {
    const id = records[i + F.delivery] as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const kind = records[i + F.outcome] as string;
    const statusCode = records[i + F.statusCode];
    const error = records[i + F.error] ?? (kind === "delivered" ? null : `HTTP ${statusCode}`);
    const retryAt = records[i + F.retryAt];
    params.push(
      id,
      STATUS[kind],
      records[i + F.attemptNumber],
      retryAt === null ? null : new Date(retryAt as number),
      new Date(records[i + F.startedAt] as number),
      statusCode,
      error,
      kind === "delivered" ? now : null,
    );
  }
  params.push(owner);
  const row =
    tx.provider === "postgresql"
      ? `(?::text,?::"DeliveryStatus",?::int,?::timestamp(3),?::timestamp(3),?::int,?::text,?::timestamp(3))`
      : "(?,?,?,?,?,?,?,?)";
  await tx.run(
    `UPDATE "WebhookDelivery" AS d SET "status" = v.column2, "attemptCount" = v.column3, "nextAttemptAt" = v.column4, "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
       "lastAttemptAt" = v.column5, "lastStatusCode" = v.column6, "lastError" = v.column7, "deliveredAt" = v.column8, "updatedAt" = ?
     FROM (VALUES ${Array(seen.size).fill(row).join(",")}) AS v
     WHERE d."id" = v.column1 AND d."leaseOwner" = ? AND (d."status" = 'SENDING') IS TRUE`,
    params,
  );
}

/**
 * The auto-disable reason: how long the endpoint has actually gone without a success (since
 * failingSince; whole seconds above one), and the limit it passed. Rounding the limit to hours printed "0 h" for any
 * window under half an hour.
 */
export function staleReason(failingForMs: number, disableAfterMs: number): string {
  const whole = (ms: number) => formatDuration(ms >= 1_000 ? ms - (ms % 1_000) : ms);
  return `no successful delivery for ${whole(failingForMs)} (limit ${whole(disableAfterMs)})`;
}

/** Disables an endpoint on the worker's own decision, as `endpoints disable` would, audited as "system". */
async function disableEndpoint(ctx: RecordContext, d: Disabled, now: Date): Promise<boolean> {
  const changed = await ctx.sql.run(
    `UPDATE "WebhookEndpoint" SET "enabled" = ?, "disabledAt" = ?, "disabledReason" = ?, "updatedAt" = ? WHERE "id" = ? AND "enabled" = ?`,
    [false, now, d.reason, now, d.endpointId, true],
  );
  if (changed === 0) return false;
  const cancelled = await cancelEndpointBacklog(ctx.sql, d.endpointId, now);
  await recordAudit(ctx, {
    action: "endpoint.disable",
    actor: "system",
    targetType: "endpoint",
    targetId: d.endpointId,
    reason: d.reason,
    metadata: { cancelledDeliveries: cancelled },
  });
  return true;
}
