import type { CommandContext } from "../../cli/context.js";
import { formatDuration } from "../../lib/duration.js";
import type {
  WebhookDeliveryInfo,
  WebhookEndpointInfo,
  WebhookEventInfo,
} from "../../types/integration/webhook.types.js";

// The tables every webhooks command prints, so list, update and send agree on columns.

export async function printEndpoints(ctx: CommandContext, endpoints: WebhookEndpointInfo[]): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(endpoints);
  if (endpoints.length === 0)
    return ctx.out.info("No webhook endpoints. Create one with: intg webhooks endpoints create --url <url>");
  await ctx.out.table(
    ["ID", "URL", "EVENTS", "ENABLED", "RETRIES", "CREATED"],
    endpoints.map((e) => [
      e.id,
      e.url,
      e.eventFilter.join(",") || "*",
      e.enabled ? "yes" : "no",
      e.retry.scheduleMs.length,
      e.createdAt,
    ]),
  );
}

export async function printEndpoint(ctx: CommandContext, e: WebhookEndpointInfo): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(e);
  await ctx.out.details([
    ["id", e.id],
    ["url", e.url],
    ["description", e.description ?? ""],
    ["channel", e.channel.toLowerCase()],
    ["events", e.eventFilter.join(", ") || "(every type)"],
    ["headers", e.headers ? Object.keys(e.headers).join(", ") : ""],
    ["timeout", formatDuration(e.timeoutMs)],
    ["retry schedule", `${e.retry.scheduleMs.map(formatDuration).join(",")} (${e.retry.source})`],
    ["rate limit", e.rateLimitPerSecond === null ? "" : `${e.rateLimitPerSecond}/s`],
    ["max in flight", String(e.maxInFlight)],
    ["private network", e.allowPrivateNetwork ? "allowed" : "refused"],
    [
      "enabled",
      e.enabled
        ? "yes"
        : `no${e.disabledAt ? ` (since ${e.disabledAt}${e.disabledReason ? `: ${e.disabledReason}` : ""})` : ""}`,
    ],
    ["previous secret until", e.previousSecretExpiresAt ?? ""],
    ["older secret until", e.olderSecretExpiresAt ?? ""],
    ["last success", e.lastSuccessAt ?? "never"],
    ["created", e.createdAt],
    ["updated", e.updatedAt],
  ]);
}

export async function printEvents(ctx: CommandContext, events: WebhookEventInfo[]): Promise<void> {
  await ctx.out.table(
    ["EVENT", "TYPE", "IDEMPOTENCY KEY", "DELIVERIES", "CREATED"],
    events.map((e) => [e.id, e.type, e.idempotencyKey ?? "", e.deliveryCount, e.createdAt]),
  );
}

export async function printDeliveries(ctx: CommandContext, deliveries: WebhookDeliveryInfo[]): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(deliveries);
  if (deliveries.length === 0) return ctx.out.info("No deliveries found.");
  await ctx.out.table(
    ["ID", "EVENT", "TYPE", "ENDPOINT", "STATUS", "ATTEMPTS", "NEXT ATTEMPT", "CREATED"],
    deliveries.map((d) => [
      d.id,
      d.eventId,
      d.eventType,
      d.endpointId,
      d.status.toLowerCase(),
      d.attemptCount,
      d.nextAttemptAt ?? "",
      d.createdAt,
    ]),
  );
}
