import { NotFoundError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { type AttemptRow, attemptsOfDelivery } from "../../db/queries/webhook-delivery-attempt.js";
import {
  deliveryWithType,
  type ListedDelivery,
  listDeliveriesWithType,
} from "../../db/queries/webhook-delivery/select.js";
import type { DeliveryStatus } from "../../types/enums.js";
import type {
  WebhookDebugInfo,
  WebhookDeliveryAttemptInfo,
  WebhookDeliveryInfo,
} from "../../types/integration/webhook.types.js";
import type { ServiceContext } from "../context.js";
import { findEndpointRow, toEndpointInfo } from "./endpoint-rows.js";
import { findEventRow, toEventInfo } from "./events.js";

function toDeliveryInfo(r: ListedDelivery): WebhookDeliveryInfo {
  return {
    id: r.id,
    eventId: r.eventId,
    eventType: r.eventType,
    endpointId: r.endpointId,
    status: r.status,
    attemptCount: r.attemptCount,
    nextAttemptAt: r.nextAttemptAt?.toISOString() ?? null,
    leaseOwner: r.leaseOwner,
    leaseExpiresAt: r.leaseExpiresAt?.toISOString() ?? null,
    lastAttemptAt: r.lastAttemptAt?.toISOString() ?? null,
    lastStatusCode: r.lastStatusCode,
    lastError: r.lastError,
    deliveredAt: r.deliveredAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
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
  const rows = await listDeliveriesWithType(typed(ctx.sql), filter, filter.limit ?? 100);
  return rows.map(toDeliveryInfo);
}

async function findDelivery(ctx: Pick<ServiceContext, "sql">, id: string): Promise<ListedDelivery> {
  const row = await deliveryWithType(typed(ctx.sql), id);
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
  const delivery = toDeliveryInfo(await findDelivery(ctx, id));
  const eventRow = await findEventRow(ctx.sql, delivery.eventId);
  const endpoint = toEndpointInfo(await findEndpointRow(ctx.sql, delivery.endpointId));
  const attempts = await attemptsOfDelivery(typed(ctx.sql), id);
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

function toAttemptInfo(a: AttemptRow, payload: string): WebhookDeliveryAttemptInfo {
  const headers = (v: unknown) => (v ?? null) as Record<string, string> | null;
  return {
    id: a.id,
    attemptNumber: a.attemptNumber,
    trigger: a.trigger === "manual" ? "manual" : "scheduled",
    startedAt: a.startedAt.toISOString(),
    durationMs: a.durationMs,
    requestHeaders: headers(a.requestHeaders) ?? {},
    // Null when nothing went out; else the attempt's own bytes, or the payload they equalled.
    requestBody: a.requestHeaders !== null ? (a.requestBody ?? payload) : null,
    statusCode: a.statusCode,
    responseHeaders: headers(a.responseHeaders),
    responseBody: a.responseBody,
    error: a.error,
    succeeded: a.succeeded,
  };
}
