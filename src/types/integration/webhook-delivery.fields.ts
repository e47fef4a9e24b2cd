// The fields `--json a,b` may select from what delivering webhooks prints: attempts, replays,
// workers, health, metrics, transforms, signatures, exports (src/types/fields.ts says why and how).
import type { ReplayPlan } from "../../services/webhooks/replay/plan.js";
import type { TransformPreview } from "../../services/webhooks/transform.js";
import { fieldsOf } from "../fields.js";
import type {
  WebhookAttemptLine,
  WebhookDeliveryMetrics,
  WebhookExportRecord,
  WebhookHealthCheckResult,
  WebhookListenEvent,
  WebhookOfflineReplayResult,
  WebhookPruneReport,
  WebhookSecurityValidation,
  WebhookWorkerInfo,
} from "./webhook.types.js";

export const ATTEMPT_LINE_FIELDS = fieldsOf<WebhookAttemptLine>()({
  deliveryId: true,
  eventId: true,
  endpointId: true,
  attempt: true,
  startedAt: true,
  durationMs: true,
  statusCode: true,
  error: true,
  trigger: true,
  outcome: true,
  nextAttemptAt: true,
});
/** `webhooks replay`: the plan (--dry-run), a line per attempt, or per request sent with --from/--to. */
export const REPLAY_FIELDS = fieldsOf<ReplayPlan | WebhookAttemptLine | WebhookOfflineReplayResult>().plus(
  ATTEMPT_LINE_FIELDS,
)({
  skippedDisabled: true,
  skippedInFlight: true,
  planHash: true,
  pairs: true,
  skippedDelivered: true,
  webhookId: true,
  url: true,
  signed: true,
  succeeded: true,
});
export const WORKER_FIELDS = fieldsOf<WebhookWorkerInfo>()({
  id: true,
  host: true,
  pid: true,
  version: true,
  state: true,
  lanesBusy: true,
  lanesTotal: true,
  leaseMs: true,
  heartbeatMs: true,
  startedAt: true,
  lastHeartbeatAt: true,
  lastClaimAt: true,
  stoppedAt: true,
});
export const HEALTH_FIELDS = fieldsOf<WebhookHealthCheckResult>()({
  endpointId: true,
  url: true,
  enabled: true,
  healthy: true,
  window: true,
  attempts: true,
  failureRate: true,
  latencyMs: true,
  backlog: true,
  ping: true,
  violations: true,
  checkedAt: true,
});
export const TRANSFORM_PREVIEW_FIELDS = fieldsOf<TransformPreview>()({
  endpointId: true,
  eventId: true,
  transformation: true,
  before: true,
  after: true,
});
export const SIGNATURE_VALIDATION_FIELDS = fieldsOf<WebhookSecurityValidation>()({
  scheme: true,
  messageId: true,
  timestamp: true,
  skewMs: true,
  toleranceMs: true,
  secretIndex: true,
  signatureCount: true,
  warnings: true,
  valid: true,
  failure: true,
  explanation: true,
});
/** `webhooks listen`: a first line saying where it listens, then one per request received. */
export const LISTEN_FIELDS = fieldsOf<WebhookListenEvent | { listening: string }>()({
  receivedAt: true,
  method: true,
  path: true,
  id: true,
  type: true,
  timestamp: true,
  valid: true,
  cause: true,
  explanation: true,
  status: true,
  forward: true,
  listening: true,
});
export const EXPORT_RECORD_FIELDS = fieldsOf<WebhookExportRecord>()({
  deliveryId: true,
  eventId: true,
  endpointId: true,
  webhookId: true,
  eventType: true,
  status: true,
  attemptCount: true,
  headersSource: true,
  headers: true,
  endpointHeaderNames: true,
  body: true,
  eventTimestamp: true,
  createdAt: true,
  lastAttemptAt: true,
  deliveredAt: true,
  exportedAt: true,
});
export const DELIVERY_METRICS_FIELDS = fieldsOf<WebhookDeliveryMetrics>()({
  endpointId: true,
  url: true,
  window: true,
  deliveries: true,
  delivered: true,
  failed: true,
  successRate: true,
  attempts: true,
  attemptsPerDelivery: true,
  latencyMs: true,
  backlog: true,
  series: true,
  bucketMs: true,
});
export const PRUNE_FIELDS = fieldsOf<WebhookPruneReport>()({
  dryRun: true,
  policies: true,
  orphanEventMaxAgeMs: true,
  removed: true,
  batches: true,
});
