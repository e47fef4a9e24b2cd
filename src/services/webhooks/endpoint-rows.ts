import { NotFoundError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { RetentionPolicy } from "../../db/generated/kysely/enums.js";
import { endpointRowById, endpointRows, type EndpointRow } from "../../db/queries/webhook-endpoint.js";
import type { SqlClient } from "../../db/sql.js";
import { redactHeaders, storedHeaders } from "./endpoint-headers.js";
import type {
  WebhookEndpointInfo,
  WebhookEventTransformation,
  WebhookRetryConfig,
} from "../../types/integration/webhook.types.js";

// What the endpoint services share: the view of an endpoint (never a ciphertext), and finding one.
// The webhook (Svix's "application") lends its schedule and retention.

export type { EndpointRow } from "../../db/queries/webhook-endpoint.js";

/** Svix's schedule: immediately, then 5s, 5m, 30m, 2h, 5h, 10h, 10h (8 attempts over ~27.5 h). */
export const DEFAULT_SCHEDULE_MS = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
export const JITTER_RATIO = 0.2;
export const DEFAULT_TIMEOUT_MS = 15_000;
/** The schema's default policy, for an endpoint without a webhook. */
export const DEFAULT_RETENTION: RetentionPolicy = RetentionPolicy.DAYS_30;

// A Json column read back: null for SQL NULL and for JSON null alike.
const jsonOrNull = <T>(v: unknown): T | null => (v === undefined ? null : (v as T | null));

export function retryConfig(own: number[] | null, webhook: number[] | null): WebhookRetryConfig {
  if (own) return { scheduleMs: own, source: "endpoint", jitterRatio: JITTER_RATIO };
  if (webhook) return { scheduleMs: webhook, source: "webhook", jitterRatio: JITTER_RATIO };
  return { scheduleMs: [...DEFAULT_SCHEDULE_MS], source: "default", jitterRatio: JITTER_RATIO };
}

export function toEndpointInfo(row: EndpointRow): WebhookEndpointInfo {
  return {
    id: row.id,
    webhookId: row.webhookId,
    url: row.url,
    description: row.description,
    channel: row.channel,
    eventFilter: row.eventFilter as string[],
    headers: redactHeaders(storedHeaders(row.headers)), // names only: values never leave sealed
    timeoutMs: row.timeoutMs,
    retry: retryConfig(jsonOrNull<number[]>(row.retrySchedule), jsonOrNull<number[]>(row.webhookRetrySchedule)),
    rateLimitPerSecond: row.rateLimitPerSecond,
    maxInFlight: row.maxInFlight,
    transformation: jsonOrNull<WebhookEventTransformation>(row.transformation),
    retentionPolicy: row.webhookRetention ?? DEFAULT_RETENTION,
    enabled: row.enabled,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    disabledReason: row.disabledReason,
    lastSuccessAt: row.lastSuccessAt?.toISOString() ?? null,
    failingSince: row.failingSince?.toISOString() ?? null,
    previousSecretExpiresAt: row.previousSecretExpiresAt?.toISOString() ?? null,
    olderSecretExpiresAt: row.olderSecretExpiresAt?.toISOString() ?? null,
    allowPrivateNetwork: row.allowPrivateNetwork,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** One endpoint's row; with `lock`, PostgreSQL holds it for the caller's transaction. */
export async function findEndpointRow(sql: SqlClient, id: string, lock = false): Promise<EndpointRow> {
  const row = await endpointRowById(typed(sql), id, lock);
  if (!row)
    throw new NotFoundError(
      `No webhook endpoint ${id}.`,
      "List them with: intg webhooks endpoints list",
      "ENDPOINT_NOT_FOUND",
    );
  return row;
}

export async function showEndpoint(ctx: { sql: SqlClient }, id: string): Promise<WebhookEndpointInfo> {
  return toEndpointInfo(await findEndpointRow(ctx.sql, id));
}

export async function listEndpoints(
  ctx: { sql: SqlClient },
  filter: { enabled?: boolean } = {},
): Promise<WebhookEndpointInfo[]> {
  return (await endpointRows(typed(ctx.sql), filter)).map(toEndpointInfo);
}
