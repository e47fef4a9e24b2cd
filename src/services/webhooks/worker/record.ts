import { DeliveryStatus } from "../../../db/generated/kysely/enums.js";
import { type Db, typed } from "../../../db/kysely.js";
import { attemptRecorded, insertAttempts, type NewAttempt } from "../../../db/queries/webhook-delivery-attempt.js";
import { type DeliveryOutcome, priceOutSeqScans, recordOutcomes } from "../../../db/queries/webhook-delivery/record.js";
import { existingDeliveryIds } from "../../../db/queries/webhook-delivery/select.js";
import { missingParent } from "../../../db/transient.js";
import {
  disableEnabledEndpoint,
  endpointFailingSince,
  endpointsDisabledSince,
  markEndpointFailing,
  markEndpointSucceeded,
} from "../../../db/queries/webhook-endpoint.js";
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
  // Made here, once: a batch written again after a lost COMMIT answer repeats it (see writeBatch).
  id: 14,
} as const;
const ATTEMPT_FIELDS = 15;

export function encodeAttempts(batch: readonly Finished[]): AttemptRecords {
  const out: AttemptRecords = [];
  for (const f of batch) {
    const r = f.result;
    const o = f.outcome;
    out.push(f.deliveryId, f.endpointId, f.attemptNumber, f.trigger, f.startedAt.getTime(), r.durationMs, r.statusCode);
    out.push(r.headers === null ? null : JSON.stringify(r.headers), r.body, r.error, o.kind);
    const sentHeaders = f.requestHeaders === null ? null : JSON.stringify(f.requestHeaders);
    out.push(o.kind === "retry" ? o.at.getTime() : null, sentHeaders, f.requestBody, newId("attempt", f.startedAt));
  }
  return out;
}

const STATUS: Record<string, DeliveryStatus> = {
  delivered: DeliveryStatus.DELIVERED,
  retry: DeliveryStatus.PENDING,
  failed: DeliveryStatus.FAILED,
  gone: DeliveryStatus.FAILED,
};

export type RecordContext = ServicesCtx;

export async function recordBatch(
  ctx: RecordContext,
  owner: string,
  records: AttemptRecords,
  disableAfterMs: number,
): Promise<Disabled[]> {
  try {
    return await writeBatch(ctx, owner, records, disableAfterMs);
  } catch (error) {
    // PostgreSQL's COPY met an attempt of this batch already there: written before (see writeBatch).
    if (attemptRecorded(error))
      return disabledBefore(typed(ctx.sql), attemptRows(records, records.length / ATTEMPT_FIELDS));
    // A delivery deleted while its attempt was in flight (its endpoint was deleted): the attempt
    // has nothing to belong to, and its foreign key failed the whole batch, and with it the worker.
    // The attempts of the deliveries still there are written; the others are dropped.
    if (!missingParent(error)) throw error;
    const kept = await ofExistingDeliveries(ctx, records);
    if (kept.length === records.length) throw error;
    return kept.length > 0 ? recordBatch(ctx, owner, kept, disableAfterMs) : [];
  }
}

async function ofExistingDeliveries(ctx: RecordContext, records: AttemptRecords): Promise<AttemptRecords> {
  const ids: string[] = [];
  for (let i = 0; i < records.length; i += ATTEMPT_FIELDS) ids.push(records[i + F.delivery] as string);
  const existing = await existingDeliveryIds(typed(ctx.sql), ids);
  const kept: AttemptRecords = [];
  for (let i = 0; i < records.length; i += ATTEMPT_FIELDS)
    if (existing.has(records[i + F.delivery] as string)) kept.push(...records.slice(i, i + ATTEMPT_FIELDS));
  return kept;
}

async function writeBatch(
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
    const db = typed(tx);
    const provider = tx.provider;
    // Each delivery is found by its primary key (see recordOutcomes), for this transaction only.
    if (provider === "postgresql") await priceOutSeqScans(db);
    // None new: an earlier try of this batch committed and its answer was lost (the connection cut
    // after COMMIT), and this is the worker trying again. One transaction wrote all of it then, the
    // outcomes too; written again they could undo a claim made since (the deliveries' leases were
    // released). What it disabled is read back, to be reported: disabling again would find nothing.
    const rows = attemptRows(records, count);
    if ((await insertAttempts(db, provider, rows)) === 0) return disabledBefore(db, rows);
    await recordOutcomes(db, provider, owner, now, outcomeRows(records, count, now));

    const succeeded = new Set(outcomes.filter((o) => o.kind === "delivered").map((o) => o.endpointId));
    const gone = new Set(outcomes.filter((o) => o.kind === "gone").map((o) => o.endpointId));
    // 410 is the receiver saying stop: disable at once, whatever else the batch saw.
    const disabled: Disabled[] = [...gone].map((id) => ({ endpointId: id, reason: "the receiver answered 410 Gone" }));
    // Every batch updates its endpoints' rows in one order, by id: two batches that took the same
    // endpoints' row locks in different orders deadlocked on PostgreSQL, and one worker died.
    for (const id of [...new Set(outcomes.map((o) => o.endpointId))].sort()) {
      if (succeeded.has(id)) {
        await markEndpointSucceeded(db, id, now);
        continue;
      }
      await markEndpointFailing(db, id, now);
      if (gone.has(id)) continue;
      const since = await endpointFailingSince(db, id, new Date(now.getTime() - disableAfterMs));
      const failingFor = since ? now.getTime() - since.getTime() : 0;
      if (since) disabled.push({ endpointId: id, reason: staleReason(failingFor, disableAfterMs) });
    }
    const done: Disabled[] = [];
    for (const d of disabled) if (await disableEndpoint({ ...ctx, sql: tx }, db, d, now)) done.push(d);
    return done;
  });
}

/** The batch's endpoints disabled since its first attempt started: by its first try, or meanwhile. */
async function disabledBefore(db: Db, rows: readonly NewAttempt[]): Promise<Disabled[]> {
  const since = new Date(Math.min(...rows.map((r) => r.startedAt.getTime())));
  const ids = [...new Set(rows.map((r) => r.endpointId))];
  const found = await endpointsDisabledSince(db, ids, since);
  return found.map((e) => ({ endpointId: e.id, reason: e.disabledReason ?? "disabled" }));
}

/** The first `count` attempts of records, as rows. */
function attemptRows(records: AttemptRecords, count: number): NewAttempt[] {
  const rows: NewAttempt[] = [];
  for (let i = 0; i < count * ATTEMPT_FIELDS; i += ATTEMPT_FIELDS) {
    const startedAt = new Date(records[i + F.startedAt] as number);
    rows.push({
      id: records[i + F.id] as string,
      deliveryId: records[i + F.delivery] as string,
      endpointId: records[i + F.endpoint] as string,
      attemptNumber: records[i + F.attemptNumber] as number,
      trigger: records[i + F.trigger] as string,
      startedAt,
      durationMs: records[i + F.durationMs] as number,
      statusCode: records[i + F.statusCode] as number | null,
      responseHeaders: records[i + F.responseHeaders] as string | null,
      responseBody: records[i + F.responseBody] as string | null,
      error: records[i + F.error] as string | null,
      succeeded: records[i + F.outcome] === "delivered",
      requestHeaders: records[i + F.requestHeaders] as string | null,
      requestBody: records[i + F.requestBody] as string | null,
    });
  }
  return rows;
}

/**
 * What the first `count` attempts of records made of their deliveries, one row per delivery. A
 * delivery twice in a batch (its lease ran out while it waited, and this worker claimed it again)
 * keeps the first attempt's outcome, as one UPDATE each would.
 */
function outcomeRows(records: AttemptRecords, count: number, now: Date): DeliveryOutcome[] {
  const rows: DeliveryOutcome[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count * ATTEMPT_FIELDS; i += ATTEMPT_FIELDS) {
    const id = records[i + F.delivery] as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const kind = records[i + F.outcome] as string;
    const statusCode = records[i + F.statusCode] as number | null;
    const retryAt = records[i + F.retryAt] as number | null;
    rows.push({
      id,
      status: STATUS[kind]!,
      attemptCount: records[i + F.attemptNumber] as number,
      nextAttemptAt: retryAt === null ? null : new Date(retryAt),
      lastAttemptAt: new Date(records[i + F.startedAt] as number),
      lastStatusCode: statusCode,
      lastError: (records[i + F.error] as string | null) ?? (kind === "delivered" ? null : `HTTP ${statusCode}`),
      deliveredAt: kind === "delivered" ? now : null,
    });
  }
  return rows;
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
async function disableEndpoint(ctx: RecordContext, db: Db, d: Disabled, now: Date): Promise<boolean> {
  if (!(await disableEnabledEndpoint(db, d.endpointId, d.reason, now))) return false;
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
