// Providers, templates, connections, health checks, sync jobs, analytics and backups (issues 6 and
// 7). Views only: credentials appear as IntegrationSecretInfo (no ciphertext), never as values.
// JSON contract: fields are added, never renamed or removed.
import type {
  ConnectionId,
  HealthCheckId,
  MappingId,
  ProviderId,
  IsoDateTime,
  JsonObject,
  JsonValue,
  LatencyPercentiles,
  SyncJobId,
  TimeWindow,
  ValidationIssue,
} from "../common.js";
import type { IntegrationCategory, IntegrationConnectionStatus, IntegrationEnvironment, TokenType } from "../enums.js";
import type { ApiAuthConfig, ApiEndpointConfig, IntegrationSecretInfo, PaginationStyle } from "./api.types.js";
import type { IntegrationMappingInfo, IntegrationProviderInfo } from "./external-reference.types.js";

/** How intg talks to a provider: the part shared by providers and the templates they come from. */
export interface IntegrationConnectorInfo {
  auth: ApiAuthConfig;
  /**
   * The kind of credential `connections create` reads (stdin, a file or an environment variable)
   * for this auth type, e.g. OAUTH2_CLIENT_SECRET for OAUTH2_CLIENT_CREDENTIALS; null for NONE.
   */
  credentialTokenType: TokenType | null;
  healthCheck: ApiEndpointConfig;
  paginationStyle: PaginationStyle | null;
  /** The provider's default; a connection may lower or raise it. */
  rateLimitPerMinute: number | null;
}

/** An IntegrationProvider as `providers show|list` print it. */
export interface IntegrationProviderExtended extends IntegrationProviderInfo {
  baseUrl: string;
  docsUrl: string | null;
  /** The built-in template it was created from, if any. */
  templateName: string | null;
  /** Provider-specific settings not covered by a column (auth settings live in `connector.auth`). */
  config: JsonObject | null;
  connector: IntegrationConnectorInfo;
  connectionCount: number;
  createdAt: IsoDateTime;
  updatedAt: IsoDateTime;
}

/** An entry of the built-in catalog (`providers templates`, `providers create --from-template`). */
export interface IntegrationTemplate {
  /** The template's key and the created provider's slug, e.g. "stripe". */
  name: string;
  displayName: string;
  category: IntegrationCategory;
  baseUrl: string;
  docsUrl: string | null;
  connector: IntegrationConnectorInfo;
}

/** An IntegrationConnection as `connections list|show` print it; never a credential value. */
export interface IntegrationConnectionInfo {
  id: ConnectionId;
  name: string;
  provider: IntegrationProviderInfo;
  environment: IntegrationEnvironment;
  status: IntegrationConnectionStatus;
  config: JsonObject | null;
  credential: IntegrationSecretInfo | null;
  /** The limit enforced: the connection's own, else the provider's default; null means none. */
  rateLimitPerMinute: number | null;
  lastCheckedAt: IsoDateTime | null;
  lastHealthyAt: IsoDateTime | null;
  disabledAt: IsoDateTime | null;
  createdAt: IsoDateTime;
  updatedAt: IsoDateTime;
}

/** An IntegrationHealthCheck row: one `connections check` of one connection. */
export interface IntegrationHealthCheck {
  id: HealthCheckId;
  connectionId: ConnectionId;
  status: IntegrationConnectionStatus;
  latencyMs: number | null;
  httpStatus: number | null;
  /** "auth" exits 4 (a credential problem); the others exit 3. */
  errorKind: "auth" | "network" | "timeout" | "unexpected_status" | null;
  errorMessage: string | null;
  checkedAt: IsoDateTime;
}

/** A change in a connection's life, listed by `connections events <id>`. */
export interface IntegrationEvent {
  /** `cev_…` */
  id: string;
  connectionId: ConnectionId;
  kind:
    | "status_changed"
    | "credentials_updated"
    | "credentials_refreshed"
    | "credentials_refresh_failed"
    | "disabled"
    | "enabled";
  /** For status changes (e.g. PENDING -> HEALTHY is "connected"); null when the status did not move. */
  previousStatus: IntegrationConnectionStatus | null;
  status: IntegrationConnectionStatus;
  message: string | null;
  createdAt: IsoDateTime;
}

/** An IntegrationSyncJob: one `connections sync` run of one resource. */
export interface IntegrationSyncJob {
  id: SyncJobId;
  connectionId: ConnectionId;
  resource: string;
  full: boolean;
  /** "interrupted" covers SIGINT and, once its lease expires, SIGKILL; a resumed run continues from the checkpoint. */
  status: "running" | "succeeded" | "failed" | "interrupted";
  /** Running, but the checkpoint has not advanced (heartbeat too old). */
  stalled: boolean;
  /** Where to resume: a page number, cursor or next link, as the provider paginates. */
  checkpoint: JsonValue | null;
  recordsRead: number;
  recordsCreated: number;
  recordsUpdated: number;
  /** References marked remote-deleted (full syncs only). */
  recordsDeleted: number;
  errors: Array<{ message: string; externalId: string | null }>;
  leaseOwner: string | null;
  heartbeatAt: IsoDateTime | null;
  startedAt: IsoDateTime;
  finishedAt: IsoDateTime | null;
}

/** `connections analytics`, per connection. Rates are 0..1; null when there is nothing to divide. */
export interface IntegrationAnalytics {
  connectionId: ConnectionId;
  connectionName: string;
  providerSlug: string;
  environment: IntegrationEnvironment;
  window: TimeWindow;
  /** From ExternalApiRequest rows. */
  requests: number;
  errors: number;
  errorRate: number | null;
  /** Answers with status 429. */
  rateLimited: number;
  latencyMs: LatencyPercentiles;
  /** From IntegrationHealthCheck rows: the share of checks that found the connection HEALTHY. */
  healthChecks: number;
  uptime: number | null;
}

/** `connections validate <config.json>`: every problem at once, with its path; invalid exits 2. */
export interface IntegrationConfigValidation {
  valid: boolean;
  issues: ValidationIssue[];
}

/**
 * The file `connections backup` writes and `connections restore` reads. It reuses the views, so
 * ids survive a restore. This is a file format, not a `--json` view: with `--include-secrets` it
 * carries the credentials, encrypted under a passphrase (never the master key, which a restore
 * target may not share).
 */
export interface IntegrationBackup {
  format: "intg-integrations-backup";
  version: 1;
  createdAt: IsoDateTime;
  providers: IntegrationProviderExtended[];
  connections: IntegrationConnectionInfo[];
  mappings: IntegrationMappingInfo[];
  /** Null without `--include-secrets`. `envelope` decrypts to the credentials keyed by secret id. */
  secrets: { count: number; envelope: string } | null;
  /**
   * The HMAC over the rest of the file: under the passphrase with secrets, else under the master
   * key; null when no master key was at hand (unauthenticated: restore needs --allow-unsigned).
   */
  signature: BackupSignature | null;
}

export interface BackupSignature {
  scheme: "passphrase" | "master-key";
  /** base64url; the passphrase scheme's scrypt salt. */
  salt: string | null;
  /** The master key id, for the master-key scheme. */
  keyId: string | null;
  /** base64url HMAC-SHA256. */
  mac: string;
}

/** `providers export --out <file> --json`: what was written where. */
export interface ProviderExportSummary {
  file: string;
  format: string;
  providers: number;
}

/** `providers import [--dry-run]`: the slugs created and replaced (or that would be). */
export interface ProviderImportResult {
  created: string[];
  updated: string[];
  dryRun: boolean;
}

/** `connections delete [--dry-run]`: the connection, with its credential and health history. */
export interface IntegrationConnectionDeletion {
  connection: IntegrationConnectionInfo;
  healthChecks: number;
  dryRun: boolean;
  deleted: boolean;
}

/** `connections backup --json`: what the file holds; never the secrets themselves. */
export interface IntegrationBackupSummary {
  file: string;
  providers: number;
  connections: number;
  mappings: number;
  secrets: number;
}

/** `connections restore [--dry-run]`: ids created and already present; any conflict writes nothing. */
export interface IntegrationRestoreReport {
  dryRun: boolean;
  created: { providers: ProviderId[]; connections: ConnectionId[]; mappings: MappingId[] };
  existing: { providers: ProviderId[]; connections: ConnectionId[]; mappings: MappingId[] };
  /** Connections restored with their credential, re-sealed under this database's master key. */
  credentials: number;
  /** Connections restored without a credential (a backup without --include-secrets). */
  withoutCredentials: ConnectionId[];
  conflicts: { id: string; message: string }[];
}

/** `connections import <config.json> [--dry-run]`: the connections created (or that would be). */
export interface IntegrationConnectionImportResult {
  created: IntegrationConnectionInfo[];
  dryRun: boolean;
}
