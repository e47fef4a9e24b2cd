import { NotFoundError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { eventRowById, eventRowByIdempotencyKey, type EventRow } from "../../db/queries/webhook-event.js";
import type { SqlClient } from "../../db/sql.js";
import type { WebhookEventInfo, WebhookPayload } from "../../types/integration/webhook.types.js";

// Event views: the payload is parsed back from the stored bytes, which stay the signed original.

export type { EventRow } from "../../db/queries/webhook-event.js";

export function toEventInfo(row: EventRow): WebhookEventInfo {
  return {
    id: row.id,
    type: row.type,
    idempotencyKey: row.idempotencyKey,
    timestamp: row.timestamp.toISOString(),
    payload: JSON.parse(row.payload) as WebhookPayload,
    deliveryCount: row.deliveryCount,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function findEventRow(sql: SqlClient, id: string): Promise<EventRow> {
  const row = await eventRowById(typed(sql), id);
  if (!row) throw new NotFoundError(`No webhook event ${id}.`, undefined, "EVENT_NOT_FOUND");
  return row;
}

export async function eventByIdempotencyKey(sql: SqlClient, key: string): Promise<EventRow | undefined> {
  return eventRowByIdempotencyKey(typed(sql), key);
}
