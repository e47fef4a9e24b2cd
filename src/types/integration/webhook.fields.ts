// The fields `--json a,b` may select from the webhook views: endpoints, event types, events and
// deliveries (src/types/fields.ts says why and how; the delivery work is in webhook-delivery.fields.ts).
import type { EndpointDeletion } from "../../services/webhooks/delete-endpoint.js";
import { fieldsOf } from "../fields.js";
import type {
  WebhookDebugInfo,
  WebhookDeliveryInfo,
  WebhookEndpointCreated,
  WebhookEndpointInfo,
  WebhookEventInfo,
  WebhookEventTypeDeletion,
  WebhookEventTypeInfo,
} from "./webhook.types.js";

export const ENDPOINT_FIELDS = fieldsOf<WebhookEndpointInfo>()({
  id: true,
  webhookId: true,
  url: true,
  description: true,
  channel: true,
  eventFilter: true,
  headers: true,
  timeoutMs: true,
  retry: true,
  rateLimitPerSecond: true,
  maxInFlight: true,
  transformation: true,
  retentionPolicy: true,
  enabled: true,
  disabledAt: true,
  disabledReason: true,
  lastSuccessAt: true,
  failingSince: true,
  previousSecretExpiresAt: true,
  olderSecretExpiresAt: true,
  allowPrivateNetwork: true,
  createdAt: true,
  updatedAt: true,
});
export const ENDPOINT_CREATED_FIELDS = fieldsOf<WebhookEndpointCreated>().plus(ENDPOINT_FIELDS)({ secret: true });
export const ENDPOINT_DELETION_FIELDS = fieldsOf<EndpointDeletion>()({
  endpoint: true,
  dryRun: true,
  deleted: true,
  deliveries: true,
});
export const EVENT_TYPE_FIELDS = fieldsOf<WebhookEventTypeInfo>()({
  name: true,
  description: true,
  schema: true,
  archivedAt: true,
  createdAt: true,
});
export const EVENT_TYPE_DELETION_FIELDS = fieldsOf<WebhookEventTypeDeletion>()({ name: true, events: true });
export const EVENT_FIELDS = fieldsOf<WebhookEventInfo>()({
  id: true,
  type: true,
  idempotencyKey: true,
  timestamp: true,
  payload: true,
  deliveryCount: true,
  createdAt: true,
});
export const DELIVERY_FIELDS = fieldsOf<WebhookDeliveryInfo>()({
  id: true,
  eventId: true,
  eventType: true,
  endpointId: true,
  status: true,
  attemptCount: true,
  nextAttemptAt: true,
  leaseOwner: true,
  leaseExpiresAt: true,
  lastAttemptAt: true,
  lastStatusCode: true,
  lastError: true,
  deliveredAt: true,
  createdAt: true,
  updatedAt: true,
});
export const DELIVERY_DEBUG_FIELDS = fieldsOf<WebhookDebugInfo>()({
  delivery: true,
  event: true,
  endpoint: true,
  body: true,
  bodyAttemptId: true,
  attempts: true,
});
