// Building blocks shared by the view types in src/types/integration/.
//
// The JSON contract: `--json` prints these views as they are, so a field, once released, is added
// to but never renamed or removed, and its meaning never changes.

/**
 * A point in time as `--json` prints it: ISO-8601 in UTC (`Date.prototype.toISOString()`).
 * Views hold strings, not Dates, so that the type is exactly what the JSON carries and a service
 * cannot forget to serialise a date.
 */
export type IsoDateTime = string;

// Ids are made by src/lib/ids.ts: a prefix naming the kind, then a time-sortable ULID. They are
// plain string aliases (not template-literal or branded types) because Prisma returns `string`
// and a cast at every mapping would prove nothing; the alias names the kind for the reader.
/** `key_…` */
export type ApiKeyId = string;
/** `sec_…` */
export type SecretId = string;
/** `aud_…` */
export type AuditEventId = string;
/** `req_…` */
export type ExternalApiRequestId = string;
/** `wh_…` */
export type WebhookId = string;
/** `ep_…` */
export type EndpointId = string;
/** `evt_…`, also the `webhook-id` header, stable across retries */
export type EventId = string;
/** `dlv_…` */
export type DeliveryId = string;
/** `atm_…` */
export type AttemptId = string;
/** `prov_…` */
export type ProviderId = string;
/** `conn_…` */
export type ConnectionId = string;
/** `hc_…` */
export type HealthCheckId = string;
/** `sync_…` */
export type SyncJobId = string;
/** `map_…` */
export type MappingId = string;
/** `ref_…` */
export type ReferenceId = string;
/** `shl_…` */
export type ShareLinkId = string;

/** What a Json column holds, and what user-supplied data (event data, record payloads) may be. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The window a metric or check was computed over (`--since`, `--until`, default now). */
export interface TimeWindow {
  since: IsoDateTime;
  until: IsoDateTime;
}

/** Latency percentiles in milliseconds; null when the window holds no sample. */
export interface LatencyPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** One problem found in user input, located precisely enough to fix it. */
export interface ValidationIssue {
  /** Where: a JSON path such as `connections[2].environment`, or a field name; "" for the whole input. */
  path: string;
  message: string;
}
