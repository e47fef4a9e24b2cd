import type { Updateable } from "kysely";
import { ConflictError } from "../../errors.js";
import type { WebhookEndpoint } from "../../db/generated/kysely/types.js";
import { jsonOrNull, jsonText, typed } from "../../db/kysely.js";
import { updateEndpointRow } from "../../db/queries/webhook-endpoint.js";
import { guardUrl, privateNetworksAllowed } from "../../lib/url-guard.js";
import type { WebhookEndpointInfo } from "../../types/integration/webhook.types.js";
import { recordAudit } from "../audit/record.js";
import { sealConfig } from "../integrity/config.js";
import type { ServiceContext } from "../context.js";
import { resolveTransformation, type EndpointInput } from "./endpoint-input.js";
import type { WebhookEventTransformation } from "../../types/integration/webhook.types.js";
import { auditFields, type EndpointOptions } from "./create-endpoint.js";
import { findEndpointRow, toEndpointInfo } from "./endpoint-rows.js";
import { headersUpdate } from "./endpoint-headers.js";
import { requireMasterKeys } from "../secrets/master-key.js";
import { setRetention } from "./retention.js";
import { cancelEndpointBacklog } from "./cancel-deliveries.js";
import { databaseClock } from "./database-clock.js";

type RowChanges = Updateable<WebhookEndpoint>;
type Field = keyof Omit<EndpointInput, "retentionPolicy" | "headers">;

// What each field `update` may change writes to the row.
const COLUMNS: { [K in Field]-?: (v: EndpointInput[K]) => RowChanges } = {
  url: (v) => ({ url: v }),
  description: (v) => ({ description: v }),
  channel: (v) => ({ channel: v }),
  eventFilter: (v) => ({ eventFilter: jsonText(v) }),
  timeoutMs: (v) => ({ timeoutMs: v }),
  retryScheduleMs: (v) => ({ retrySchedule: jsonOrNull(v) }),
  rateLimitPerSecond: (v) => ({ rateLimitPerSecond: v }),
  maxInFlight: (v) => ({ maxInFlight: v }),
  allowPrivateNetwork: (v) => ({ allowPrivateNetwork: v }),
  transformation: (v) => ({ transformation: jsonOrNull(v) }),
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
  const allow = changes.allowPrivateNetwork ?? current.allowPrivateNetwork;
  if (changes.url !== undefined || changes.allowPrivateNetwork !== undefined) {
    await guardUrl(changes.url ?? current.url, {
      allowPrivate: privateNetworksAllowed(ctx.env, allow),
      lookup: options.lookup,
    });
  }
  if (changes.channel !== undefined || changes.transformation !== undefined) {
    // A channel change brings its own format; an expression kept across it must still fit.
    const kept = (current.transformation ?? null) as WebhookEventTransformation | null;
    const given =
      changes.transformation !== undefined ? changes.transformation : kept?.kind === "jsonata" ? kept : null;
    // Only a newly given expression is tried on the sample: one kept across a channel change was tried when set.
    const trial = changes.transformation !== undefined ? { now: ctx.now(), warn: options.warn } : undefined;
    const channel = changes.channel ?? current.channel;
    changes = { ...changes, transformation: await resolveTransformation(channel, given, trial) };
  }
  const fields = (Object.keys(COLUMNS) as (keyof typeof COLUMNS)[]).filter((k) => changes[k] !== undefined);
  const now = ctx.now();
  // Headers are sealed under the ring; an older row's plaintext headers are sealed by any update
  // (the row is read again under the lock, so the ring is at hand whenever it holds headers).
  const ring =
    changes.headers !== undefined || (current.headers !== null && current.headers !== undefined)
      ? await requireMasterKeys(ctx)
      : null;
  return ctx.sql.transaction(async (tx) => {
    const locked = await findEndpointRow(tx, id, true);
    const set: RowChanges = {};
    for (const k of fields) Object.assign(set, (COLUMNS[k] as (v: unknown) => RowChanges)(changes[k]));
    const headers = await headersUpdate(tx, ring, id, changes.headers, locked.headers);
    if (headers !== undefined) set.headers = jsonOrNull(headers);
    await updateEndpointRow(typed(tx), id, { ...set, updatedAt: now });
    if (changes.retentionPolicy) await setRetention(tx, id, changes.retentionPolicy, now);
    await sealConfig({ ...ctx, sql: tx }, "WebhookEndpoint", id);
    await recordAudit(
      { ...ctx, sql: tx },
      { action: "endpoint.update", targetType: "endpoint", targetId: id, metadata: auditFields(changes) },
    );
    return toEndpointInfo(await findEndpointRow(tx, id));
  });
}

/**
 * Disables or enables an endpoint. Disabling cancels its pending deliveries and those a dead worker left
 * SENDING (CANCELLED, kept for replay) so that re-enabling does not fire a backlog of stale events at
 * the receiver, and nothing stays SENDING forever.
 */
export async function setEndpointEnabled(
  ctx: ServiceContext,
  id: string,
  enabled: boolean,
  reason: string | null = null,
): Promise<{ endpoint: WebhookEndpointInfo; cancelledDeliveries: number }> {
  const now = ctx.now();
  // A lease is run out by the database's clock (database-clock.ts): this machine's, minutes fast,
  // cancelled deliveries a live worker was sending.
  const clock = databaseClock(ctx);
  if (!enabled) await clock.measure();
  return ctx.sql.transaction(async (tx) => {
    const row = await findEndpointRow(tx, id, true);
    if (row.enabled === enabled) {
      throw new ConflictError(
        `Webhook endpoint ${id} is already ${enabled ? "enabled" : "disabled"}.`,
        undefined,
        enabled ? "ENDPOINT_ALREADY_ENABLED" : "ENDPOINT_ALREADY_DISABLED",
      );
    }
    await updateEndpointRow(typed(tx), id, {
      enabled,
      disabledAt: enabled ? null : now,
      disabledReason: enabled ? null : reason,
      failingSince: enabled ? null : row.failingSince,
      updatedAt: now,
    });
    const cancelled = enabled ? 0 : await cancelEndpointBacklog(tx, id, clock.now());
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: enabled ? "endpoint.enable" : "endpoint.disable",
        targetType: "endpoint",
        targetId: id,
        reason,
        metadata: { cancelledDeliveries: cancelled },
      },
    );
    return { endpoint: toEndpointInfo(await findEndpointRow(tx, id)), cancelledDeliveries: cancelled };
  });
}
