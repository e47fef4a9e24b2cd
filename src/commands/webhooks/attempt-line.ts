import type { Finished } from "../../services/webhooks/worker/record.js";
import type { WebhookAttemptLine } from "../../types/integration/webhook.types.js";

/** One NDJSON line per attempt (`worker --json`, `replay --json`). */
export function attemptLine(f: Finished): WebhookAttemptLine {
  return {
    deliveryId: f.deliveryId,
    eventId: f.eventId,
    endpointId: f.endpointId,
    attempt: f.attemptNumber,
    startedAt: f.startedAt.toISOString(),
    durationMs: f.result.durationMs,
    statusCode: f.result.statusCode,
    error: f.result.error,
    trigger: f.trigger,
    outcome: f.outcome.kind,
    nextAttemptAt: f.outcome.kind === "retry" ? f.outcome.at.toISOString() : null,
  };
}
