// Webhook configurations, endpoints, events, deliveries and their operations (issues 4 and 5).
// Views only: no signing secret or ciphertext appears here, except the one-time
// WebhookEndpointCreated. JSON contract: fields are added, never renamed or removed.
import type {
  AttemptId,
  DeliveryId,
  EndpointId,
  EventId,
  IsoDateTime,
  JsonValue,
  LatencyPercentiles,
  TimeWindow,
  WebhookId,
} from "../common.js";
import type { DeliveryChannel, DeliveryStatus, RetentionPolicy } from "../enums.js";

/** The effective retry schedule of an endpoint, and where it came from. */
export interface WebhookRetryConfig {
  /** Delay before each attempt in ms, the first usually 0; its length is the number of attempts. */
  scheduleMs: number[];
  /** The endpoint's own schedule, its webhook's, or the built-in default (Svix's). */
  source: "endpoint" | "webhook" | "default";
  /** Each delay is drawn within ±jitterRatio of the scheduled one (0.2). */
  jitterRatio: number;
}

/** A Webhook row (Svix's "application"): defaults and retention shared by its endpoints. */
export interface WebhookConfig {
  id: WebhookId;
  name: string;
  description: string | null;
  retentionPolicy: RetentionPolicy;
  retry: WebhookRetryConfig;
  endpointCount: number;
  createdAt: IsoDateTime;
  updatedAt: IsoDateTime;
}

/**
 * A transformation applied to the envelope before signing (WebhookEndpoint.transformation): a
 * JSONata expression, or the built-in formatting that turns an event into a chat message for a
 * chat channel (what makes DeliveryChannel SLACK and DISCORD work).
 */
export type WebhookEventTransformation =
  | { kind: "jsonata"; expression: string }
  | { kind: "chat_message"; format: Exclude<DeliveryChannel, typeof DeliveryChannel.HTTP> };

/** A WebhookEndpoint as `webhooks endpoints list|show` print it; never its secret. */
export interface WebhookEndpointInfo {
  id: EndpointId;
  webhookId: WebhookId | null;
  url: string;
  description: string | null;
  channel: DeliveryChannel;
  /** Patterns such as "invoice.*"; empty means every type. */
  eventFilter: string[];
  /** Extra headers sent with every delivery, by name; each value is "[redacted]" (sealed at rest). */
  headers: Record<string, string> | null;
  timeoutMs: number;
  retry: WebhookRetryConfig;
  rateLimitPerSecond: number | null;
  /** Requests one worker has in flight to this endpoint at most (--max-in-flight), so a slow one cannot take every lane. */
  maxInFlight: number;
  transformation: WebhookEventTransformation | null;
  /** The webhook's policy, or the default (DAYS_30) for an endpoint without one; `webhooks prune` applies it. */
  retentionPolicy: RetentionPolicy;
  enabled: boolean;
  disabledAt: IsoDateTime | null;
  disabledReason: string | null;
  lastSuccessAt: IsoDateTime | null;
  /** Start of the current run of failures; the endpoint is disabled when it lasts too long. */
  failingSince: IsoDateTime | null;
  /** While set and in the future, deliveries are signed with the previous secret too (rotation grace). */
  previousSecretExpiresAt: IsoDateTime | null;
  /**
   * The same for the secret rotated out before the previous one (a second rotation during a grace):
   * each keeps the end its own rotation promised, so this may come before or after the previous one's.
   */
  olderSecretExpiresAt: IsoDateTime | null;
  /** May reach private, loopback and link-local addresses (--allow-private-network). */
  allowPrivateNetwork: boolean;
  createdAt: IsoDateTime;
  updatedAt: IsoDateTime;
}

/** What `endpoints create` and `endpoints rotate-secret` return: the `whsec_…` secret, shown once. */
export type WebhookEndpointCreated = WebhookEndpointInfo & { secret: string };

/** The Standard Webhooks envelope: the body sent, serialised once when the event is recorded. */
export interface WebhookPayload<TData = JsonValue> {
  type: string;
  timestamp: IsoDateTime;
  data: TData;
}

/** A WebhookEvent. */
export interface WebhookEventInfo {
  id: EventId;
  type: string;
  idempotencyKey: string | null;
  timestamp: IsoDateTime;
  /** Parsed from the stored bytes; WebhookDebugInfo.body has the bytes themselves. */
  payload: WebhookPayload;
  /** How many endpoints it was fanned out to. */
  deliveryCount: number;
  createdAt: IsoDateTime;
}

/** A WebhookDelivery: one event to one endpoint, across its attempts. */
export interface WebhookDeliveryInfo {
  id: DeliveryId;
  eventId: EventId;
  eventType: string;
  endpointId: EndpointId;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: IsoDateTime | null;
  /** The worker holding it while SENDING; an expired lease is picked up again. */
  leaseOwner: string | null;
  leaseExpiresAt: IsoDateTime | null;
  lastAttemptAt: IsoDateTime | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: IsoDateTime | null;
  createdAt: IsoDateTime;
  updatedAt: IsoDateTime;
}

/** One WebhookDeliveryAttempt, as WebhookDebugInfo lists it. */
export interface WebhookDeliveryAttemptInfo {
  id: AttemptId;
  attemptNumber: number;
  /** "manual" for replays. */
  trigger: "scheduled" | "manual";
  startedAt: IsoDateTime;
  durationMs: number;
  /**
   * The headers sent: webhook-id, webhook-timestamp, webhook-signature, content-type and the
   * endpoint's own. Issue 4 requires them; the attempt table gains a column for them with it.
   */
  requestHeaders: Record<string, string>;
  /**
   * The exact bytes signed and sent: the transformed body, or the event's payload when the
   * endpoint has no transformation. Null when no request went out (the transformation failed, or
   * the endpoint's row was refused).
   */
  requestBody: string | null;
  statusCode: number | null;
  responseHeaders: Record<string, string> | null;
  /** The first 20 KB. */
  responseBody: string | null;
  error: string | null;
  succeeded: boolean;
}

/** `webhooks deliveries show <id>`: everything needed to see why a delivery failed. */
export interface WebhookDebugInfo {
  delivery: WebhookDeliveryInfo;
  event: WebhookEventInfo;
  endpoint: Pick<WebhookEndpointInfo, "id" | "url" | "channel" | "enabled">;
  /**
   * The exact bytes signed and sent by the latest attempt that sent a request (bodyAttemptId);
   * before any, the event's stored payload (a transformation applies to it when it is sent).
   */
  body: string;
  /** The attempt whose request `body` is; null when none has sent one yet. */
  bodyAttemptId: AttemptId | null;
  attempts: WebhookDeliveryAttemptInfo[];
}

/** `webhooks send <type> --data …`: one event, fanned out to every enabled matching endpoint. */
export interface WebhookDeliveryRequest {
  type: string;
  data: JsonValue;
  /** The data's JSON text as given, when there is one: stored and sent byte for byte, never re-serialised. */
  rawData?: string;
  /** The same key twice records one event. */
  idempotencyKey: string | null;
  allowUnknownType: boolean;
}

/** `webhooks send --batch-file <ndjson>`: every line valid, then all sent in one transaction. */
export interface WebhookBatchDeliveryRequest {
  events: Array<{
    /** 1-based line in the file, for error messages. */
    line: number;
    type: string;
    data: JsonValue;
    /** As in WebhookDeliveryRequest: the data's JSON text as given, sent byte for byte. */
    rawData?: string;
    idempotencyKey: string | null;
  }>;
  allowUnknownType: boolean;
}

/** Deliveries waiting: how many, and how long the oldest has waited. */
export interface WebhookBacklog {
  size: number;
  oldestAgeMs: number | null;
}

/** `webhooks metrics`, per endpoint. Rates are 0..1; null when the window is empty. */
export interface WebhookDeliveryMetrics {
  endpointId: EndpointId;
  url: string;
  window: TimeWindow;
  deliveries: number;
  delivered: number;
  failed: number;
  successRate: number | null;
  attempts: number;
  attemptsPerDelivery: number | null;
  latencyMs: LatencyPercentiles;
  backlog: WebhookBacklog;
  /** Deliveries and failures per bucket, oldest first: the terminal chart's data. */
  series: Array<{ start: IsoDateTime; delivered: number; failed: number }>;
  bucketMs: number;
}

/** A threshold of `webhooks health` that an endpoint broke. */
export interface WebhookHealthViolation {
  threshold: "max_failure_rate" | "max_p95" | "max_backlog_age" | "disabled" | "ping" | "stalled_sending";
  /**
   * The measured value and the limit, in the threshold's unit (ratio or ms; for stalled_sending the
   * count of SENDING deliveries whose lease has expired, limit 0); null for disabled/ping.
   */
  actual: number | null;
  limit: number | null;
  message: string;
}

/** `webhooks health`, per endpoint: the CI gate. Any violation exits 3. */
export interface WebhookHealthCheckResult {
  endpointId: EndpointId;
  url: string;
  enabled: boolean;
  healthy: boolean;
  window: TimeWindow;
  attempts: number;
  failureRate: number | null;
  latencyMs: LatencyPercentiles;
  backlog: WebhookBacklog;
  /** Only with `--ping`: a signed `webhook.ping` sent now. */
  ping: { statusCode: number | null; latencyMs: number; error: string | null; succeeded: boolean } | null;
  violations: WebhookHealthViolation[];
  checkedAt: IsoDateTime;
}

/** Why a signature did not verify; `verify --explain` turns it into a sentence. */
export type WebhookVerificationFailure =
  | "missing_headers"
  | "malformed_header"
  | "timestamp_too_old"
  | "timestamp_too_new"
  /** The signature matches a canonical re-serialisation of the body, not the bytes received. */
  | "body_reserialized"
  /** The secret was used as raw bytes instead of base64-decoded after `whsec_`, or the reverse. */
  | "secret_key_derivation"
  /** The signature is hex where base64 was expected, or the reverse. */
  | "signature_encoding"
  /** Several signatures were sent (a rotation) and none was made with this secret. */
  | "rotated_secret"
  | "wrong_secret";

interface WebhookValidationBase {
  scheme: "standard-webhooks" | "stripe" | null;
  /** The `webhook-id` header (Standard Webhooks only). */
  messageId: string | null;
  /** The signed timestamp, and how far it is from now (positive: in the past). */
  timestamp: IsoDateTime | null;
  skewMs: number | null;
  toleranceMs: number;
  /** Which secret of the secret file made the signature (0: the first, current one); null when none did. */
  secretIndex: number | null;
  /** How many signatures the request carried (several while the sender rotates its secret). */
  signatureCount: number;
  /** Valid, but worth acting on: e.g. it verified only with an older (rotated) secret. */
  warnings: string[];
}

/** `webhooks verify` (exit 0 or 4) and each request `webhooks listen` receives. */
export type WebhookSecurityValidation =
  | (WebhookValidationBase & { valid: true; failure: null; explanation: null })
  | (WebhookValidationBase & {
      valid: false;
      failure: WebhookVerificationFailure;
      /** Only with `--explain`. */
      explanation: string | null;
    });

/** `webhooks listen`: one request the local receiver got (one NDJSON line under `--json`). */
export interface WebhookListenEvent {
  receivedAt: IsoDateTime;
  method: string;
  path: string;
  /** The `webhook-id` header, else the event's own "id" (Stripe puts it in the body). */
  id: string | null;
  /** The body's "type", when it is a JSON envelope. */
  type: string | null;
  /** The signed timestamp. */
  timestamp: IsoDateTime | null;
  /** Null when no secret was given: nothing was checked. */
  valid: boolean | null;
  cause: WebhookVerificationFailure | null;
  explanation: string | null;
  /** What the listener answered the sender: 200, or 401 for a bad signature. */
  status: number;
  /** Only with `--forward-to`, and only for requests that were not refused. */
  forward: { url: string; status: number | null; error: string | null; durationMs: number } | null;
}

/** `webhooks replay`: which deliveries to send again. Replays keep the original webhook-id. */
export interface WebhookReplayRequest {
  selector:
    | { kind: "delivery"; deliveryId: DeliveryId }
    | { kind: "event"; eventId: EventId }
    | {
        kind: "filter";
        endpointId: EndpointId | null;
        status: DeliveryStatus[];
        /** A filter needs an explicit window. */
        window: TimeWindow;
        /** e.g. "invoice.*"; null for every type. */
        typePattern: string | null;
      };
  includeDelivered: boolean;
  /** The endpoints that matched when the event was sent, or those that match now. */
  routing: "original" | "current";
  dryRun: boolean;
  /** `--plan-hash`: apply only if the plan still hashes to this. */
  planHash: string | null;
}

/** What a replay will do (`--dry-run`) or did. */
export interface WebhookReplayPlan {
  planHash: string;
  pairs: Array<{
    eventId: EventId;
    endpointId: EndpointId;
    /** Null when routing "current" reaches an endpoint the event was never delivered to. */
    deliveryId: DeliveryId | null;
  }>;
  skippedDelivered: number;
}

/** `webhooks event-types delete`: the type removed, and how many kept events were of it (with --force). */
export interface WebhookEventTypeDeletion {
  name: string;
  events: number;
}

/** One NDJSON line per delivery attempt: `webhooks worker --json`, `webhooks replay --json`. */
export interface WebhookAttemptLine {
  deliveryId: DeliveryId;
  eventId: EventId;
  endpointId: EndpointId;
  attempt: number;
  startedAt: IsoDateTime;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  trigger: "scheduled" | "manual";
  outcome: "delivered" | "retry" | "failed" | "gone";
  /** When the next attempt is due; null unless the outcome is "retry". */
  nextAttemptAt: IsoDateTime | null;
}

/** A WebhookEventType: the catalog `webhooks send` checks types against. */
export interface WebhookEventTypeInfo {
  name: string;
  description: string | null;
  /** A JSON Schema for the event's data, stored for consumers. */
  schema: JsonValue | null;
  archivedAt: IsoDateTime | null;
  createdAt: IsoDateTime;
}

/**
 * One line of `webhooks export` (NDJSON), read back by `webhooks replay --from`. `body` is the
 * stored payload exactly (the signed bytes); `headers` are those of the last attempt, or, for a
 * delivery never attempted, signed at export time with the endpoint's secrets (`headersSource`).
 */
export interface WebhookExportRecord {
  deliveryId: DeliveryId;
  eventId: EventId;
  endpointId: EndpointId;
  /** The webhook-id header: the event's id, the same on every attempt and replay. */
  webhookId: string;
  eventType: string;
  status: DeliveryStatus;
  attemptCount: number;
  headersSource: "last_attempt" | "signed_at_export";
  /** The endpoint's own extra headers are here only when exported `--with-endpoint-headers`. */
  headers: Record<string, string>;
  /** The names of the endpoint's own extra headers (left out of `headers` unless asked for). */
  endpointHeaderNames: string[];
  body: string;
  eventTimestamp: IsoDateTime;
  createdAt: IsoDateTime;
  lastAttemptAt: IsoDateTime | null;
  deliveredAt: IsoDateTime | null;
  exportedAt: IsoDateTime;
}

/** `webhooks replay --from`: one line per request sent (no database involved). */
export interface WebhookOfflineReplayResult {
  deliveryId: DeliveryId;
  webhookId: string;
  url: string;
  /** Whether the exported headers were sent as they are or re-signed with --secret-file. */
  signed: "exported" | "resigned";
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  succeeded: boolean;
}

/** `webhooks prune`: what was removed (or, with dryRun, would be). */
export interface WebhookPruneReport {
  dryRun: boolean;
  /** The age limit applied to each retention policy, in ms; null for FOREVER (never pruned). */
  policies: Record<RetentionPolicy, number | null>;
  /** Events with no delivery left are removed past this age; null when none are. */
  orphanEventMaxAgeMs: number | null;
  removed: { events: number; deliveries: number; attempts: number; responseBodies: number };
  batches: number;
}

/**
 * `webhooks workers`: a worker as its heartbeats describe it. live: its last heartbeat is within
 * three heartbeat intervals (its lease); gone: it is not and it never said it stopped (killed,
 * crashed or cut off; its leases have run out); stopped: it exited cleanly.
 */
export interface WebhookWorkerInfo {
  id: string;
  host: string;
  pid: number;
  version: string;
  state: "live" | "gone" | "stopped";
  lanesBusy: number;
  lanesTotal: number;
  leaseMs: number;
  heartbeatMs: number;
  startedAt: string;
  lastHeartbeatAt: string;
  lastClaimAt: string | null;
  stoppedAt: string | null;
}
