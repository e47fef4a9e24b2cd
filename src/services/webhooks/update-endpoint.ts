import { ConflictError } from "../../errors.js";
import { col } from "../../db/sql.js";
import { guardUrl, privateNetworksAllowed } from "../../lib/url-guard.js";
import type { WebhookEndpointInfo } from "../../types/integration/webhook.types.js";
import { recordAudit } from "../audit/record.js";
import { sealConfig } from "../integrity/config.js";
import type { ServiceContext } from "../context.js";
import { resolveTransformation, type EndpointInput } from "./endpoint-input.js";
import type { DeliveryChannel } from "../../types/enums.js";
import type { WebhookEventTransformation } from "../../types/integration/webhook.types.js";
import { auditFields, type EndpointOptions } from "./create-endpoint.js";
import { findEndpointRow, toEndpointInfo } from "./endpoint-rows.js";
import { headersUpdate } from "./endpoint-headers.js";
import { requireMasterKeys } from "../secrets/master-key.js";
import { setRetention } from "./retention.js";
import { cancelEndpointBacklog } from "./cancel-deliveries.js";

// Column for each field `update` may change, and how its value is stored.
const COLUMNS: { [K in keyof Omit<EndpointInput, "retentionPolicy" | "headers">]-?: [column: string, store: (v: EndpointInput[K]) => unknown] } = {
  url: ["url", (v) => v],
  description: ["description", (v) => v],
  channel: ["channel", (v) => v],
  eventFilter: ["eventFilter", (v) => JSON.stringify(v)],
  timeoutMs: ["timeoutMs", (v) => v],
  retryScheduleMs: ["retrySchedule", (v) => (v ? JSON.stringify(v) : null)],
  rateLimitPerSecond: ["rateLimitPerSecond", (v) => v],
  allowPrivateNetwork: ["allowPrivateNetwork", (v) => v],
  transformation: ["transformation", (v) => v ?? null],
};

/**
 * Changes the given fields. A new URL, or taking away --allow-private-network, is checked against
 * the guard first (with the endpoint's resulting permission), so an update never writes a URL
 * that create would have refused.
 */
export async function updateEndpoint(
  ctx: ServiceContext,
  id: string,
  changes: Partial<EndpointInput>,
  options: EndpointOptions = {},
): Promise<WebhookEndpointInfo> {
  const current = await findEndpointRow(ctx.sql, id);
  const allow = changes.allowPrivateNetwork ?? col.bool(current.allowPrivateNetwork);
  if (changes.url !== undefined || changes.allowPrivateNetwork !== undefined) {
    await guardUrl(changes.url ?? current.url, { allowPrivate: privateNetworksAllowed(ctx.env, allow), lookup: options.lookup });
  }
  if (changes.channel !== undefined || changes.transformation !== undefined) {
    // A channel change brings its own format; an expression kept across it must still fit.
    const kept = col.json<WebhookEventTransformation | null>(current.transformation ?? null);
    const given = changes.transformation !== undefined ? changes.transformation : kept?.kind === "jsonata" ? kept : null;
    // Only a newly given expression is tried on the sample: one kept across a channel change was tried when set.
    const trial = changes.transformation !== undefined ? { now: ctx.now(), warn: options.warn } : undefined;
    const channel = changes.channel ?? (current.channel as DeliveryChannel);
    changes = { ...changes, transformation: await resolveTransformation(channel, given, trial) };
  }
  const fields = (Object.keys(COLUMNS) as (keyof typeof COLUMNS)[]).filter((k) => changes[k] !== undefined);
  const now = ctx.now();
  // Headers are sealed under the ring; an older row's plaintext headers are sealed by any update
  // (the row is read again under the lock, so the ring is at hand whenever it holds headers).
  const ring = changes.headers !== undefined || current.headers !== null && current.headers !== undefined ? await requireMasterKeys(ctx) : null;
  return ctx.sql.transaction(async (tx) => {
    const locked = await findEndpointRow(tx, id, true);
    const sets = fields.map((k) => `"${COLUMNS[k][0]}" = ?`);
    const values = fields.map((k) => (COLUMNS[k][1] as (v: unknown) => unknown)(changes[k]));
    const headers = await headersUpdate(tx, ring, id, changes.headers, locked.headers);
    if (headers !== undefined) (sets.push(`"headers" = ?`), values.push(headers));
    await tx.run(`UPDATE "WebhookEndpoint" SET ${[...sets, `"updatedAt" = ?`].join(", ")} WHERE "id" = ?`, [...values, now, id]);
    if (changes.retentionPolicy) await setRetention(tx, id, changes.retentionPolicy, now);
    await sealConfig({ ...ctx, sql: tx }, "WebhookEndpoint", id);
    await recordAudit({ ...ctx, sql: tx }, { action: "endpoint.update", targetType: "endpoint", targetId: id, metadata: auditFields(changes) });
    return toEndpointInfo(await findEndpointRow(tx, id));
  });
}

/**
 * Disables or enables an endpoint. Disabling cancels its pending deliveries and those a dead worker left
 * SENDING (CANCELLED, kept for replay) so that re-enabling does not fire a backlog of stale events at
 * the receiver, and nothing stays SENDING forever.
 */
export async function setEndpointEnabled(ctx: ServiceContext, id: string, enabled: boolean, reason: string | null = null): Promise<{ endpoint: WebhookEndpointInfo; cancelledDeliveries: number }> {
  const now = ctx.now();
  return ctx.sql.transaction(async (tx) => {
    const row = await findEndpointRow(tx, id, true);
    if (col.bool(row.enabled) === enabled) {
      throw new ConflictError(`Webhook endpoint ${id} is already ${enabled ? "enabled" : "disabled"}.`, undefined, enabled ? "ENDPOINT_ALREADY_ENABLED" : "ENDPOINT_ALREADY_DISABLED");
    }
    await tx.run(
      `UPDATE "WebhookEndpoint" SET "enabled" = ?, "disabledAt" = ?, "disabledReason" = ?, "failingSince" = ?, "updatedAt" = ? WHERE "id" = ?`,
      [enabled, enabled ? null : now, enabled ? null : reason, enabled ? null : row.failingSince ?? null, now, id],
    );
    const cancelled = enabled ? 0 : await cancelEndpointBacklog(tx, id, now);
    await recordAudit({ ...ctx, sql: tx }, { action: enabled ? "endpoint.enable" : "endpoint.disable", targetType: "endpoint", targetId: id, reason, metadata: { cancelledDeliveries: cancelled } });
    return { endpoint: toEndpointInfo(await findEndpointRow(tx, id)), cancelledDeliveries: cancelled };
  });
}
