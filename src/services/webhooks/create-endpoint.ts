import { jsonOrNull, jsonText, typed } from "../../db/kysely.js";
import { insertEndpointRow } from "../../db/queries/webhook-endpoint.js";
import { newId } from "../../lib/ids.js";
import { guardUrl, privateNetworksAllowed, type Lookup } from "../../lib/url-guard.js";
import { generateSigningSecret } from "../../lib/webhook-signing.js";
import type { WebhookEndpointCreated } from "../../types/integration/webhook.types.js";
import { recordAudit } from "../audit/record.js";
import { sealConfig } from "../integrity/config.js";
import type { ServiceContext } from "../context.js";
import { sealingRing } from "../secrets/master-key.js";
import { DEFAULT_MAX_IN_FLIGHT, resolveTransformation, type EndpointInput } from "./endpoint-input.js";
import { findEndpointRow, toEndpointInfo } from "./endpoint-rows.js";
import { currentSlot, sealSecret } from "./endpoint-secret.js";
import { sealHeaders } from "./endpoint-headers.js";
import { setRetention } from "./retention.js";

export interface EndpointOptions {
  lookup?: Lookup;
  /** Told when a new --transform fails or yields nothing on the sample event (it is kept all the same). */
  warn?: (message: string) => void;
}

/**
 * Creates an endpoint with a new `whsec_` secret, sealed under the master key and returned this
 * once. The URL is checked (scheme, and every address its host resolves to) before anything is
 * written; the endpoint and its audit event land in one transaction.
 */
export async function createEndpoint(
  ctx: ServiceContext,
  input: EndpointInput,
  options: EndpointOptions = {},
): Promise<WebhookEndpointCreated> {
  await guardUrl(input.url, {
    allowPrivate: privateNetworksAllowed(ctx.env, input.allowPrivateNetwork),
    lookup: options.lookup,
  });
  const now = ctx.now();
  const id = newId("endpoint", now);
  const secret = generateSigningSecret();
  const transformation = await resolveTransformation(input.channel, input.transformation, { now, warn: options.warn });
  return ctx.sql.transaction(async (tx) => {
    const ring = await sealingRing({ ...ctx, sql: tx }); // in the transaction: see secrets/set.ts
    await insertEndpointRow(typed(tx), {
      id,
      url: input.url,
      description: input.description,
      channel: input.channel,
      eventFilter: jsonText(input.eventFilter),
      headers: jsonOrNull(sealHeaders(ring.current, id, input.headers)),
      timeoutMs: input.timeoutMs,
      retrySchedule: jsonOrNull(input.retryScheduleMs),
      rateLimitPerSecond: input.rateLimitPerSecond,
      maxInFlight: input.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
      transformation: jsonOrNull(transformation),
      secretCiphertext: sealSecret(ring.current, secret, currentSlot(id)),
      allowPrivateNetwork: input.allowPrivateNetwork,
      enabled: true,
      createdAt: now,
      updatedAt: now,
    });
    if (input.retentionPolicy) await setRetention(tx, id, input.retentionPolicy, now);
    await sealConfig({ ...ctx, sql: tx }, "WebhookEndpoint", id);
    await recordAudit(
      { ...ctx, sql: tx },
      { action: "endpoint.create", targetType: "endpoint", targetId: id, metadata: auditFields(input) },
    );
    return { ...toEndpointInfo(await findEndpointRow(tx, id)), secret };
  });
}

/** What the audit log keeps of an endpoint's settings: header names, never their values (they often carry credentials). */
export function auditFields(
  input: Partial<EndpointInput>,
): Record<string, string | number | boolean | string[] | number[] | null> {
  const out: Record<string, string | number | boolean | string[] | number[] | null> = {};
  if (input.url !== undefined) out.url = input.url;
  if (input.description !== undefined) out.description = input.description;
  if (input.channel !== undefined) out.channel = input.channel;
  if (input.transformation !== undefined) out.transformation = input.transformation?.kind ?? null;
  if (input.retentionPolicy !== undefined) out.retentionPolicy = input.retentionPolicy;
  if (input.eventFilter !== undefined) out.eventFilter = input.eventFilter;
  if (input.headers !== undefined) out.headerNames = input.headers ? Object.keys(input.headers) : null;
  if (input.timeoutMs !== undefined) out.timeoutMs = input.timeoutMs;
  if (input.retryScheduleMs !== undefined) out.retryScheduleMs = input.retryScheduleMs;
  if (input.rateLimitPerSecond !== undefined) out.rateLimitPerSecond = input.rateLimitPerSecond;
  if (input.maxInFlight !== undefined) out.maxInFlight = input.maxInFlight;
  if (input.allowPrivateNetwork !== undefined) out.allowPrivateNetwork = input.allowPrivateNetwork;
  return out;
}
