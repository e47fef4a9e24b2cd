import { NotFoundError } from "../../errors.js";
import { col, type SqlClient } from "../../db/sql.js";
import type { DeliveryChannel, RetentionPolicy } from "../../types/enums.js";
import { redactHeaders, storedHeaders } from "./endpoint-headers.js";
import type { WebhookEndpointInfo, WebhookEventTransformation, WebhookRetryConfig } from "../../types/integration/webhook.types.js";

// What the endpoint services share: the columns a view reads (never a ciphertext), the view, and
// finding one endpoint. The webhook (Svix's "application") lends its schedule and retention.

/** Svix's schedule: immediately, then 5s, 5m, 30m, 2h, 5h, 10h, 10h (8 attempts over ~27.5 h). */
export const DEFAULT_SCHEDULE_MS = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
export const JITTER_RATIO = 0.2;
export const DEFAULT_TIMEOUT_MS = 15_000;

export const ENDPOINT_COLUMNS = `e."id", e."webhookId", e."url", e."description", e."channel", e."eventFilter",
  e."headers", e."timeoutMs", e."retrySchedule", e."rateLimitPerSecond", e."transformation",
  e."previousSecretExpiresAt", e."olderSecretExpiresAt", e."allowPrivateNetwork", e."enabled", e."disabledAt",
  e."disabledReason", e."lastSuccessAt", e."failingSince", e."configMac", e."createdAt", e."updatedAt",
  w."retrySchedule" AS "webhookRetrySchedule", w."retentionPolicy" AS "webhookRetention"`;
export const ENDPOINT_FROM = `"WebhookEndpoint" e LEFT JOIN "Webhook" w ON w."id" = e."webhookId"`;

export type EndpointRow = Record<string, unknown> & { id: string; url: string };

const jsonOrNull = <T>(v: unknown): T | null => (v === null || v === undefined ? null : col.json<T>(v));

export function retryConfig(own: number[] | null, webhook: number[] | null): WebhookRetryConfig {
  if (own) return { scheduleMs: own, source: "endpoint", jitterRatio: JITTER_RATIO };
  if (webhook) return { scheduleMs: webhook, source: "webhook", jitterRatio: JITTER_RATIO };
  return { scheduleMs: [...DEFAULT_SCHEDULE_MS], source: "default", jitterRatio: JITTER_RATIO };
}

export function toEndpointInfo(row: EndpointRow): WebhookEndpointInfo {
  return {
    id: row.id,
    webhookId: (row.webhookId as string | null) ?? null,
    url: row.url,
    description: (row.description as string | null) ?? null,
    channel: row.channel as DeliveryChannel,
    eventFilter: col.json<string[]>(row.eventFilter),
    headers: redactHeaders(storedHeaders(row.headers)), // names only: values never leave sealed
    timeoutMs: col.int(row.timeoutMs),
    retry: retryConfig(jsonOrNull<number[]>(row.retrySchedule), jsonOrNull<number[]>(row.webhookRetrySchedule)),
    rateLimitPerSecond: row.rateLimitPerSecond === null || row.rateLimitPerSecond === undefined ? null : col.int(row.rateLimitPerSecond),
    transformation: jsonOrNull<WebhookEventTransformation>(row.transformation),
    retentionPolicy: ((row.webhookRetention as RetentionPolicy | null) ?? "DAYS_30") as RetentionPolicy,
    enabled: col.bool(row.enabled),
    disabledAt: col.iso(row.disabledAt),
    disabledReason: (row.disabledReason as string | null) ?? null,
    lastSuccessAt: col.iso(row.lastSuccessAt),
    failingSince: col.iso(row.failingSince),
    previousSecretExpiresAt: col.iso(row.previousSecretExpiresAt),
    olderSecretExpiresAt: col.iso(row.olderSecretExpiresAt),
    allowPrivateNetwork: col.bool(row.allowPrivateNetwork),
    createdAt: col.iso(row.createdAt)!,
    updatedAt: col.iso(row.updatedAt)!,
  };
}

/** One endpoint's row; with `lock`, PostgreSQL holds it for the caller's transaction. */
export async function findEndpointRow(sql: SqlClient, id: string, lock = false): Promise<EndpointRow> {
  const forUpdate = lock && sql.provider === "postgresql" ? ` FOR UPDATE OF e` : "";
  const row = await sql.get<EndpointRow>(`SELECT ${ENDPOINT_COLUMNS} FROM ${ENDPOINT_FROM} WHERE e."id" = ?${forUpdate}`, [id]);
  if (!row) throw new NotFoundError(`No webhook endpoint ${id}.`, "List them with: intg webhooks endpoints list", "ENDPOINT_NOT_FOUND");
  return row;
}

export async function showEndpoint(ctx: { sql: SqlClient }, id: string): Promise<WebhookEndpointInfo> {
  return toEndpointInfo(await findEndpointRow(ctx.sql, id));
}

export async function listEndpoints(ctx: { sql: SqlClient }, filter: { enabled?: boolean } = {}): Promise<WebhookEndpointInfo[]> {
  const where = filter.enabled === undefined ? "" : ` WHERE e."enabled" = ?`;
  const rows = await ctx.sql.all<EndpointRow>(`SELECT ${ENDPOINT_COLUMNS} FROM ${ENDPOINT_FROM}${where} ORDER BY e."id"`, filter.enabled === undefined ? [] : [filter.enabled]);
  return rows.map(toEndpointInfo);
}
