import { NotFoundError } from "../../errors.js";
import { col, type SqlClient } from "../../db/sql.js";
import type { DeliveryStatus } from "../../types/enums.js";
import type {
  WebhookDebugInfo,
  WebhookDeliveryAttemptInfo,
  WebhookDeliveryInfo,
} from "../../types/integration/webhook.types.js";
import type { ServiceContext } from "../context.js";
import { findEndpointRow, toEndpointInfo } from "./endpoint-rows.js";
import { findEventRow, toEventInfo } from "./events.js";

const COLUMNS = `d."id", d."eventId", ev."type" AS "eventType", d."endpointId", d."status", d."attemptCount", d."nextAttemptAt", d."leaseOwner", d."leaseExpiresAt", d."lastAttemptAt", d."lastStatusCode", d."lastError", d."deliveredAt", d."createdAt", d."updatedAt"`;
const FROM = `"WebhookDelivery" d JOIN "WebhookEvent" ev ON ev."id" = d."eventId"`;

type Row = Record<string, unknown> & {
  id: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  status: DeliveryStatus;
};

const intOrNull = (v: unknown) => (v === null || v === undefined ? null : col.int(v));

function toDeliveryInfo(r: Row): WebhookDeliveryInfo {
  return {
    id: r.id,
    eventId: r.eventId,
    eventType: r.eventType,
    endpointId: r.endpointId,
    status: r.status,
    attemptCount: col.int(r.attemptCount),
    nextAttemptAt: col.iso(r.nextAttemptAt),
    leaseOwner: (r.leaseOwner as string | null) ?? null,
    leaseExpiresAt: col.iso(r.leaseExpiresAt),
    lastAttemptAt: col.iso(r.lastAttemptAt),
    lastStatusCode: intOrNull(r.lastStatusCode),
    lastError: (r.lastError as string | null) ?? null,
    deliveredAt: col.iso(r.deliveredAt),
    createdAt: col.iso(r.createdAt)!,
    updatedAt: col.iso(r.updatedAt)!,
  };
}

export interface DeliveryFilter {
  status?: DeliveryStatus[];
  endpointId?: string;
  eventId?: string;
  since?: Date;
  limit?: number;
}

/** Deliveries matching every given filter, newest first. */
export async function listDeliveries(
  ctx: Pick<ServiceContext, "sql">,
  filter: DeliveryFilter = {},
): Promise<WebhookDeliveryInfo[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status?.length) {
    where.push(`d."status" IN (${filter.status.map(() => "?").join(",")})`);
    params.push(...filter.status);
  }
  if (filter.endpointId) where.push(`d."endpointId" = ?`), params.push(filter.endpointId);
  if (filter.eventId) where.push(`d."eventId" = ?`), params.push(filter.eventId);
  if (filter.since) where.push(`d."createdAt" >= ?`), params.push(filter.since);
  const clause = where.length ? ` WHERE ${where.join(" AND ")}` : "";
  const rows = await ctx.sql.all<Row>(`SELECT ${COLUMNS} FROM ${FROM}${clause} ORDER BY d."id" DESC LIMIT ?`, [
    ...params,
    filter.limit ?? 100,
  ]);
  return rows.map(toDeliveryInfo);
}

async function findDelivery(sql: SqlClient, id: string): Promise<Row> {
  const row = await sql.get<Row>(`SELECT ${COLUMNS} FROM ${FROM} WHERE d."id" = ?`, [id]);
  if (!row)
    throw new NotFoundError(
      `No webhook delivery ${id}.`,
      "List them with: intg webhooks deliveries list",
      "DELIVERY_NOT_FOUND",
    );
  return row;
}

/**
 * `deliveries show`: the delivery, its event, the exact body its latest request carried, its
 * endpoint, and every attempt so far with the bytes each one sent (an attempt that sent the
 * event's payload as it is stores none of its own: it is resolved here).
 */
export async function showDelivery(ctx: Pick<ServiceContext, "sql">, id: string): Promise<WebhookDebugInfo> {
  const delivery = toDeliveryInfo(await findDelivery(ctx.sql, id));
  const eventRow = await findEventRow(ctx.sql, delivery.eventId);
  const endpoint = toEndpointInfo(await findEndpointRow(ctx.sql, delivery.endpointId));
  const attempts = await ctx.sql.all<Record<string, unknown>>(
    `SELECT "id","attemptNumber","trigger","startedAt","durationMs","requestHeaders","requestBody","statusCode",
       "responseHeaders","responseBody","error","succeeded"
     FROM "WebhookDeliveryAttempt" WHERE "deliveryId" = ? ORDER BY "attemptNumber", "id"`,
    [id],
  );
  const infos = attempts.map((a) => toAttemptInfo(a, eventRow.payload));
  const latest = latestSent(infos);
  return {
    delivery,
    event: toEventInfo(eventRow),
    endpoint: { id: endpoint.id, url: endpoint.url, channel: endpoint.channel, enabled: endpoint.enabled },
    body: latest?.requestBody ?? eventRow.payload,
    bodyAttemptId: latest?.id ?? null,
    attempts: infos,
  };
}

/**
 * The latest attempt that sent a request, in the order `webhooks export` picks its attempt
 * (started, then number, then id), so both show the same request.
 */
function latestSent(attempts: WebhookDeliveryAttemptInfo[]): WebhookDeliveryAttemptInfo | undefined {
  const later = (a: WebhookDeliveryAttemptInfo, b: WebhookDeliveryAttemptInfo) => {
    if (a.startedAt !== b.startedAt) return a.startedAt > b.startedAt;
    return a.attemptNumber !== b.attemptNumber ? a.attemptNumber > b.attemptNumber : a.id > b.id;
  };
  let latest: WebhookDeliveryAttemptInfo | undefined;
  for (const a of attempts) if (a.requestBody !== null && (!latest || later(a, latest))) latest = a;
  return latest;
}

function toAttemptInfo(a: Record<string, unknown>, payload: string): WebhookDeliveryAttemptInfo {
  const sent = a.requestHeaders !== null && a.requestHeaders !== undefined;
  const json = (v: unknown) => (v === null || v === undefined ? null : col.json<Record<string, string>>(v));
  return {
    id: String(a.id),
    attemptNumber: col.int(a.attemptNumber),
    trigger: a.trigger === "manual" ? "manual" : "scheduled",
    startedAt: col.iso(a.startedAt)!,
    durationMs: col.int(a.durationMs),
    requestHeaders: json(a.requestHeaders) ?? {},
    // Null when nothing went out; else the attempt's own bytes, or the payload they equalled.
    requestBody: sent ? ((a.requestBody as string | null) ?? payload) : null,
    statusCode: intOrNull(a.statusCode),
    responseHeaders: json(a.responseHeaders),
    responseBody: (a.responseBody as string | null) ?? null,
    error: (a.error as string | null) ?? null,
    succeeded: col.bool(a.succeeded),
  };
}
