import { NotFoundError } from "../../errors.js";
import { col, type SqlClient } from "../../db/sql.js";
import type { WebhookEventInfo, WebhookPayload } from "../../types/integration/webhook.types.js";

// Event views: the payload is parsed back from the stored bytes, which stay the signed original.

export const EVENT_COLUMNS = `ev."id", ev."type", ev."idempotencyKey", ev."payload", ev."timestamp", ev."createdAt", (SELECT COUNT(*) FROM "WebhookDelivery" d WHERE d."eventId" = ev."id") AS "deliveryCount"`;

export type EventRow = { id: string; type: string; idempotencyKey: string | null; payload: string; timestamp: unknown; createdAt: unknown; deliveryCount: unknown };

export function toEventInfo(row: EventRow): WebhookEventInfo {
  return {
    id: row.id,
    type: row.type,
    idempotencyKey: row.idempotencyKey ?? null,
    timestamp: col.iso(row.timestamp)!,
    payload: JSON.parse(row.payload) as WebhookPayload,
    deliveryCount: col.int(row.deliveryCount),
    createdAt: col.iso(row.createdAt)!,
  };
}

export async function findEventRow(sql: SqlClient, id: string): Promise<EventRow> {
  const row = await sql.get<EventRow>(`SELECT ${EVENT_COLUMNS} FROM "WebhookEvent" ev WHERE ev."id" = ?`, [id]);
  if (!row) throw new NotFoundError(`No webhook event ${id}.`, undefined, "EVENT_NOT_FOUND");
  return row;
}

export async function eventByIdempotencyKey(sql: SqlClient, key: string): Promise<EventRow | undefined> {
  return sql.get<EventRow>(`SELECT ${EVENT_COLUMNS} FROM "WebhookEvent" ev WHERE ev."idempotencyKey" = ?`, [key]);
}
