// API keys, stored credentials, outbound API calls and the security audit log (issue 3; the
// connections issue uses the auth and client types). Views only: no key hash, plaintext secret or
// ciphertext appears here, except the one-time ApiKeyCreated. JSON contract: fields are added,
// never renamed or removed.
import type {
  ApiKeyId,
  AuditEventId,
  ConnectionId,
  ExternalApiRequestId,
  IsoDateTime,
  JsonObject,
  SecretId,
  TimeWindow,
} from "../common.js";
import type { ApiKeyScope, ApiKeyStatus, AuthenticationType, TokenType } from "../enums.js";

/** Part of the key's text (`intg_live_…`), so a leaked key tells where it works. */
export type ApiKeyEnvironment = "live" | "test";

/** An API key as `keys list|show` print it. The key itself is never stored, only its hash (not shown). */
export interface ApiKeyInfo {
  id: ApiKeyId;
  name: string;
  prefix: string;
  environment: ApiKeyEnvironment;
  /** First and last characters of the key, to recognise it (`intg_live_ab…yz`). */
  start: string;
  end: string;
  formatVersion: number;
  status: ApiKeyStatus;
  /** From the ApiKeyScopeGrant join table (SQLite has no scalar lists). */
  scopes: ApiKeyScope[];
  ownerId: string | null;
  metadata: JsonObject | null;
  expiresAt: IsoDateTime | null;
  /** Set on a rotated key: it stays valid until then. */
  graceEndsAt: IsoDateTime | null;
  revokedAt: IsoDateTime | null;
  revokedReason: string | null;
  lastUsedAt: IsoDateTime | null;
  useCount: number;
  /** The key this one replaced, and the key that replaced it (null when not rotated). */
  rotatedFromId: ApiKeyId | null;
  rotatedToId: ApiKeyId | null;
  createdAt: IsoDateTime;
  updatedAt: IsoDateTime;
}

/** What `keys create` and `keys rotate` return: the only view that carries the plaintext key, once. */
export type ApiKeyCreated = ApiKeyInfo & { key: string };

/** ApiKeyVerification.outcome, one row per `keys verify`; everything but VALID exits 4. */
export type ApiKeyVerificationOutcome =
  | "VALID"
  | "NOT_FOUND"
  | "REVOKED"
  | "EXPIRED"
  | "INSUFFICIENT_SCOPE"
  | "MALFORMED";

/** Filters of `keys list` and the parsed `keys revoke --where …`; absent means "any". */
export interface ApiKeyFilter {
  status?: ApiKeyStatus[];
  /** Keys holding every one of these scopes. */
  scopes?: ApiKeyScope[];
  environment?: ApiKeyEnvironment;
  ownerId?: string;
  /** `--expiring-within 7d`, resolved against the clock: expiresAt before this. */
  expiresBefore?: IsoDateTime;
  /** `--unused-for 90d`, resolved: last used (or, never used, created) before this. */
  notUsedSince?: IsoDateTime;
}

/** `keys revoke --where … [--dry-run]`: one operation over every key the filter matches. */
export interface ApiBatchRequest {
  /** Only revocation is bulk today; the field leaves room for others without a new type. */
  operation: "revoke";
  where: ApiKeyFilter;
  reason: string | null;
  dryRun: boolean;
}

/** `keys rotate <id> [--grace 24h]`. The old key's grace never outlives its own expiry. */
export interface ApiKeyRotationRequest {
  keyId: ApiKeyId;
  graceMs: number;
}

/** `keys metrics [--since 30d]`. */
export interface ApiMetrics {
  window: TimeWindow;
  /** Every status is present, zero included, so scripts need no defaulting. */
  keysByStatus: Record<ApiKeyStatus, number>;
  /** Counted from ApiKeyVerification rows in the window; every outcome present. */
  verificationsByOutcome: Record<ApiKeyVerificationOutcome, number>;
  /** Keys created by a rotation within the window. */
  rotations: number;
  /** Active keys whose expiry falls before `before`. */
  expiringSoon: { before: IsoDateTime; count: number };
}

/**
 * An AuditEvent row: every mutation of a key, secret, endpoint, connection or reference, failed
 * verifications, master-key rotations, and system events such as an endpoint disabled for failing.
 */
export interface ApiSecurityAuditEvent {
  id: AuditEventId;
  /** `<target>.<verb>`, e.g. "key.rotate", "secret.rotate_master_key", "endpoint.disabled". */
  action: string;
  /** INTG_ACTOR, else the OS user, else "system" for the worker's own decisions. */
  actor: string;
  /** "api_key" | "secret" | "endpoint" | "connection" | "reference" | …; open, as features add targets. */
  targetType: string;
  targetId: string | null;
  outcome: "success" | "failure";
  reason: string | null;
  metadata: JsonObject | null;
  createdAt: IsoDateTime;
  /**
   * The audit log is a hash chain (issue 3): each event carries the previous event's hash, so
   * `audit verify` finds the first edited or deleted event. Null for the first event.
   */
  previousHash: string | null;
  eventHash: string;
}

/** `audit head`: the chain's newest event as its head is kept outside the database (`<seq>:<hash>`). */
export interface ApiAuditHead {
  seq: number;
  hash: string | null;
  /** `<seq>:<hash>`; null while the log is empty. */
  head: string | null;
  keyed: boolean;
}

/** An IntegrationSecret without its ciphertext: which credential, of what kind, under which master key. */
export interface IntegrationSecretInfo {
  id: SecretId;
  name: string;
  tokenType: TokenType;
  /** The master key id that encrypted it; `secrets status` counts these to follow a re-encryption. */
  masterKeyId: string;
  expiresAt: IsoDateTime | null;
  rotatedAt: IsoDateTime | null;
  createdAt: IsoDateTime;
  updatedAt: IsoDateTime;
}

/** One outbound call through a connection (ExternalApiRequest row). */
export interface ExternalApiRequestInfo {
  id: ExternalApiRequestId;
  connectionId: ConnectionId | null;
  method: string;
  /** Without credentials: userinfo and credential query parameters are stripped before storing. */
  url: string;
  /** Null when no response came (network error, timeout). */
  statusCode: number | null;
  latencyMs: number;
  errorKind: string | null;
  requestBytes: number;
  responseBytes: number;
  createdAt: IsoDateTime;
}

/**
 * How requests to a provider authenticate, one variant per AuthenticationType. It holds the
 * non-secret settings only (from the provider's config); the credential itself lives encrypted in
 * an IntegrationSecret and is decrypted just for the request.
 */
export type ApiAuthConfig =
  | { type: typeof AuthenticationType.NONE }
  | {
      type: typeof AuthenticationType.API_KEY;
      /** Where the key goes, and under which header or query parameter name (e.g. "X-API-Key"). */
      placement: "header" | "query";
      name: string;
    }
  | { type: typeof AuthenticationType.BEARER_TOKEN }
  | { type: typeof AuthenticationType.BASIC }
  | { type: typeof AuthenticationType.OAUTH2_CLIENT_CREDENTIALS; tokenUrl: string; scopes: string[] }
  | { type: typeof AuthenticationType.OAUTH2_REFRESH_TOKEN; tokenUrl: string; scopes: string[] }
  | {
      type: typeof AuthenticationType.HMAC;
      /** The request header that carries the signature. */
      headerName: string;
      algorithm: "sha256" | "sha512";
      encoding: "hex" | "base64";
    };

/** A request against a provider's API: its health check, or `connections request <METHOD> <path>`. */
export interface ApiEndpointConfig {
  method: string;
  /** Relative to the provider's base URL. */
  path: string;
  /** The status that counts as healthy; null accepts any 2xx (ad-hoc requests). */
  expectedStatus: number | null;
}

/** IntegrationProvider.paginationStyle: page numbers, opaque cursors, or RFC 8288 Link headers. */
export type PaginationStyle = "page" | "cursor" | "link";

/** Everything the outbound client needs to call through one connection; built from provider, connection and flags. */
export interface ApiClientConfig {
  connectionId: ConnectionId;
  baseUrl: string;
  auth: ApiAuthConfig;
  /** The credential to decrypt at request time; null for AuthenticationType.NONE. */
  credentialSecretId: SecretId | null;
  /** The connection's limit, else the provider's default; null means none. Enforced, not advisory. */
  rateLimitPerMinute: number | null;
  timeoutMs: number;
  paginationStyle: PaginationStyle | null;
  /** DESIGN §6: private, loopback and link-local targets are refused unless this is set. */
  allowPrivateNetworks: boolean;
}

/** The answer to an authenticated request (`connections request`), logged as an ExternalApiRequest. */
export interface ApiResponse<T = unknown> {
  requestId: ExternalApiRequestId;
  connectionId: ConnectionId;
  method: string;
  /** Without credentials, as logged. */
  url: string;
  status: number;
  headers: Record<string, string>;
  body: T;
  latencyMs: number;
}

/** `keys identify` (the key on stdin or in --key-file): offline, from the key's text alone. */
export interface ApiKeyIdentification {
  wellFormed: boolean;
  prefix: string | null;
  environment: ApiKeyEnvironment | null;
  formatVersion: number | null;
  /** Why it is not well-formed; null when it is. */
  reason: string | null;
}

/** `keys verify`: exit 0 when valid, 4 otherwise, with the outcome as the reason. */
export interface ApiKeyVerificationResult {
  valid: boolean;
  outcome: ApiKeyVerificationOutcome;
  /** Null when no key matched (NOT_FOUND, MALFORMED). */
  keyId: ApiKeyId | null;
  status: ApiKeyStatus | null;
  scopes: ApiKeyScope[];
  /** The scope that was required, when `--scope` was given. */
  requiredScope: ApiKeyScope | null;
  expiresAt: IsoDateTime | null;
  /** A person-readable reason for a refusal; null when valid. */
  message: string | null;
}

/** `keys rotate status <id>`: whether callers still use the old key after its successor was issued. */
export interface ApiKeyRotationStatus {
  oldKeyId: ApiKeyId;
  newKeyId: ApiKeyId;
  rotatedAt: IsoDateTime;
  graceEndsAt: IsoDateTime | null;
  /** The old key still verifies (inside its grace period). */
  oldKeyValid: boolean;
  oldKeyLastUsedAt: IsoDateTime | null;
  /** The old key was used after the new one was issued: someone has not switched yet. */
  oldKeyUsedSinceRotation: boolean;
  newKeyLastUsedAt: IsoDateTime | null;
}

/** What a bulk operation did (or, with --dry-run, would do), key by key. */
export interface ApiBatchResult {
  request: ApiBatchRequest;
  matched: number;
  changed: number;
  keys: ApiKeyInfo[];
}
