import { UsageError } from "../../errors.js";
import type { DeliveryChannel, RetentionPolicy } from "../../types/enums.js";
import type { WebhookEventTransformation } from "../../types/integration/webhook.types.js";
import { compileJsonata, TransformError } from "../../lib/webhook-transform.js";
import { trySampleEvent, type TransformTrial } from "./transform-trial.js";

/** What `endpoints create` and `update` write; on update, undefined keeps the current value. */
export interface EndpointInput {
  url: string;
  description: string | null;
  channel: DeliveryChannel;
  eventFilter: string[];
  headers: Record<string, string> | null;
  timeoutMs: number;
  /** null: the webhook's or the default schedule. */
  retryScheduleMs: number[] | null;
  rateLimitPerSecond: number | null;
  /** Requests one worker has in flight to it at once; DEFAULT_MAX_IN_FLIGHT when not given. */
  maxInFlight?: number;
  allowPrivateNetwork: boolean;
  /** A JSONata expression for HTTP endpoints; chat channels get their built-in message format. */
  transformation?: WebhookEventTransformation | null;
  /** How long `webhooks prune` keeps its deliveries; stored on the endpoint's webhook. */
  retentionPolicy?: RetentionPolicy;
}

/** The column's default (models.prisma): a quarter of a worker's default lanes. */
export const DEFAULT_MAX_IN_FLIGHT = 16;

/**
 * The transformation an endpoint stores: a chat channel always formats its own messages; an
 * expression must parse and, with a trial, stay within the transform budget on a sample event
 * (usage error, exit 2, otherwise).
 */
export async function resolveTransformation(
  channel: DeliveryChannel,
  given: WebhookEventTransformation | null | undefined,
  trial?: TransformTrial,
): Promise<WebhookEventTransformation | null> {
  if (channel !== "HTTP") {
    if (given && given.kind === "jsonata")
      throw new UsageError(
        `A ${channel.toLowerCase()} endpoint formats its own messages; --transform is for http endpoints.`,
      );
    return { kind: "chat_message", format: channel };
  }
  if (given?.kind !== "jsonata") return null;
  try {
    await compileJsonata(given.expression);
  } catch (error) {
    if (error instanceof TransformError)
      throw new UsageError(
        `--transform: ${error.message}.`,
        "See https://docs.jsonata.org for the syntax; the input is the event envelope {type, timestamp, data}.",
        "INVALID_TRANSFORMATION",
      );
    throw error;
  }
  if (trial) await trySampleEvent(given.expression, trial);
  return given;
}

const SEGMENT = /^[a-z0-9][a-z0-9_-]*$/;

/** Event type names: dot-separated lowercase segments, e.g. "invoice.paid". */
export function validateEventTypeName(name: string, where = "event type"): string {
  if (name.length > 128 || !name.split(".").every((s) => SEGMENT.test(s))) {
    throw new UsageError(
      `Invalid ${where} "${name}".`,
      "Use dot-separated lowercase segments of letters, digits, _ and -, e.g. invoice.paid.",
      "INVALID_EVENT_TYPE",
    );
  }
  return name;
}

/**
 * Filter patterns: like a type name, where a segment may be `*` (exactly one segment, any name), or
 * the whole pattern `**` (every type, however many segments).
 */
export function validatePattern(pattern: string): string {
  if (pattern === ALL) return pattern;
  if (pattern.length > 128 || !pattern.split(".").every((s) => s === "*" || SEGMENT.test(s))) {
    throw new UsageError(
      `Invalid event filter "${pattern}".`,
      "Use event type names, with * for any one segment, e.g. invoice.*,customer.created, or ** alone for every type.",
      "INVALID_EVENT_FILTER",
    );
  }
  return pattern;
}

const ALL = "**";

/**
 * Whether a type passes an endpoint's filter; an empty filter or `**` passes everything. `*` is one
 * segment, as the flag's help says: a bare `*` passes "ping" but not "invoice.paid".
 */
export function matchesFilter(filter: readonly string[], type: string): boolean {
  if (filter.length === 0) return true;
  const parts = type.split(".");
  return filter.some((pattern) => {
    if (pattern === ALL) return true;
    const want = pattern.split(".");
    return want.length === parts.length && want.every((w, i) => w === "*" || w === parts[i]);
  });
}
