import { ConflictError, UsageError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { insertQueuedDelivery } from "../../db/queries/webhook-delivery/queue.js";
import { enabledEndpointFilters } from "../../db/queries/webhook-endpoint.js";
import { insertEventRow, lockIdempotencyKey } from "../../db/queries/webhook-event.js";
import { newId } from "../../lib/ids.js";
import type { JsonValue } from "../../types/common.js";
import type {
  WebhookBatchDeliveryRequest,
  WebhookDeliveryRequest,
  WebhookEventInfo,
  WebhookPayload,
} from "../../types/integration/webhook.types.js";
import type { ServiceContext } from "../context.js";
import { matchesFilter, validateEventTypeName } from "./endpoint-input.js";
import { checkSchemas } from "./event-schemas.js";
import { knownTypes } from "./event-types.js";
import { eventByIdempotencyKey, toEventInfo } from "./events.js";

export interface SentEvent {
  event: WebhookEventInfo;
  /** False when the idempotency key had been used: this is the first call's event, nothing new was queued. */
  created: boolean;
}

export interface SendResult {
  events: SentEvent[];
  /** Deliveries created by this call. */
  deliveriesQueued: number;
  /** The deprecated event types among those sent: they still send, and the command warns. */
  deprecatedTypes: string[];
}

/** `webhooks send <type>`: one event. */
export function sendEvent(ctx: ServiceContext, request: WebhookDeliveryRequest): Promise<SendResult> {
  const event = {
    line: 1,
    type: request.type,
    data: request.data,
    rawData: request.rawData,
    idempotencyKey: request.idempotencyKey,
  };
  return send(ctx, { events: [event], allowUnknownType: request.allowUnknownType }, false);
}

/** `webhooks send --batch-file`: every line checked, then all of them in one transaction. */
export function sendBatch(ctx: ServiceContext, request: WebhookBatchDeliveryRequest): Promise<SendResult> {
  return send(ctx, request, true);
}

/** The Standard Webhooks envelope, serialised once: these bytes are stored, signed and sent on every attempt. */
export function envelope(type: string, timestamp: Date, data: JsonValue): string {
  const payload: WebhookPayload = { type, timestamp: timestamp.toISOString(), data };
  return JSON.stringify(payload);
}

/** The same envelope around data given as JSON text: the text goes in as it is. */
export function envelopeAround(type: string, timestamp: Date, dataText: string): string {
  return `{"type":${JSON.stringify(type)},"timestamp":${JSON.stringify(timestamp.toISOString())},"data":${dataText}}`;
}

type SendLine = WebhookBatchDeliveryRequest["events"][number];

/**
 * A reused idempotency key must carry the same request, as Stripe requires: returning the first event for
 * different data would silently drop the new one. Data is compared as JSON values (key order ignored).
 */
function refuseChangedReuse(first: WebhookEventInfo, e: SendLine, at: string): void {
  const sameType = first.type === e.type;
  if (sameType && canonical(first.payload.data as JsonValue) === canonical(e.data)) return;
  const differs = sameType ? "data" : `type (${first.type})`;
  throw new ConflictError(
    `${at}idempotency key "${e.idempotencyKey}" was already used by event ${first.id} with different ${differs}; ` +
      "nothing was sent.",
    `Use a new key for a new event, or resend exactly the data of ${first.id}.`,
    "IDEMPOTENCY_KEY_REUSED",
  );
}

/** JSON text with object keys sorted, so that two equal values compare equal as strings. */
function canonical(value: JsonValue): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const entries = Object.entries(v as Record<string, unknown>);
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

async function send(ctx: ServiceContext, request: WebhookBatchDeliveryRequest, batch: boolean): Promise<SendResult> {
  const at = (line: number) => (batch ? `line ${line}: ` : "");
  for (const e of request.events) {
    try {
      validateEventTypeName(e.type);
    } catch (error) {
      throw new UsageError(
        `${at(e.line)}${(error as Error).message} Nothing was sent.`,
        (error as UsageError).hint,
        "INVALID_EVENT_TYPE",
      );
    }
  }
  const now = ctx.now();
  const iso = now.toISOString();
  return ctx.sql.transaction(async (tx) => {
    const deprecated = new Set<string>();
    const known = await knownTypes(
      tx,
      request.events.map((e) => e.type),
      deprecated,
    );
    if (!request.allowUnknownType) {
      const unknown = request.events.find((e) => !known.has(e.type));
      if (unknown) {
        throw new UsageError(
          `${at(unknown.line)}unknown event type "${unknown.type}"; nothing was sent.`,
          `Add it with: intg webhooks event-types create ${unknown.type} (or send with --allow-unknown-type).`,
          "UNKNOWN_EVENT_TYPE",
        );
      }
    }
    await checkSchemas(tx, request.events, at);
    const db = typed(tx);
    const endpoints = (await enabledEndpointFilters(db)).map((r) => ({ id: r.id, filter: r.eventFilter as string[] }));
    const events: SentEvent[] = [];
    let queued = 0;
    for (const e of request.events) {
      if (e.idempotencyKey !== null) {
        // Two sends of one key wait for each other, so the second sees the first's event.
        await lockIdempotencyKey(db, e.idempotencyKey);
        const first = await eventByIdempotencyKey(tx, e.idempotencyKey);
        if (first) {
          const info = toEventInfo(first);
          refuseChangedReuse(info, e, at(e.line));
          events.push({ event: info, created: false });
          continue;
        }
      }
      const id = newId("event", now);
      const payload = e.rawData === undefined ? envelope(e.type, now, e.data) : envelopeAround(e.type, now, e.rawData);
      await insertEventRow(db, { id, type: e.type, idempotencyKey: e.idempotencyKey, payload, now });
      let deliveryCount = 0;
      for (const endpoint of endpoints) {
        if (!matchesFilter(endpoint.filter, e.type)) continue;
        await insertQueuedDelivery(db, { id: newId("delivery", now), eventId: id, endpointId: endpoint.id, now });
        deliveryCount++;
      }
      queued += deliveryCount;
      // The view is what was just written; reading each event back doubled a batch's statements.
      const { type, idempotencyKey, data } = e;
      const view = { id, type, idempotencyKey, timestamp: iso, payload: { type, timestamp: iso, data }, deliveryCount };
      events.push({ event: { ...view, createdAt: iso }, created: true });
    }
    return { events, deliveriesQueued: queued, deprecatedTypes: [...deprecated] };
  });
}
