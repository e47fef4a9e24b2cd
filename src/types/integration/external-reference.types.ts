// External references, mappings, bulk import, sync operations and share links (issue 7). Views
// only: share-link tokens are stored hashed and appear once, in ExternalShareLinkCreated.
// JSON contract: fields are added, never renamed or removed.
import type {
  AuditEventId,
  ConnectionId,
  IsoDateTime,
  JsonObject,
  JsonValue,
  MappingId,
  ProviderId,
  ReferenceId,
  ShareLinkId,
  ValidationIssue,
} from "../common.js";
import type { IntegrationCategory, IntegrationEnvironment, IntegrationProviderStatus } from "../enums.js";

/** A provider in brief, where a view names one (connections, lookups). */
export interface IntegrationProviderInfo {
  id: ProviderId;
  slug: string;
  name: string;
  category: IntegrationCategory;
  status: IntegrationProviderStatus;
}

/** One of the platform's records tied to one record in a provider, through a connection. */
export interface ExternalReference {
  id: ReferenceId;
  connectionId: ConnectionId;
  /** The platform's side, e.g. user:42. Unique per connection and external type. */
  entityType: string;
  entityId: string;
  /** The provider's side, e.g. contact:901. Unique per connection. */
  externalType: string;
  externalId: string;
  metadata: JsonObject | null;
  /** Hash of the remote record as last seen: a sync skips records whose hash did not change. */
  payloadHash: string | null;
  firstSeenAt: IsoDateTime;
  lastModifiedAt: IsoDateTime;
  /** Gone from the provider (found by a full sync); kept so the mapping is not silently lost. */
  remoteDeleted: boolean;
  remoteDeletedAt: IsoDateTime | null;
  createdAt: IsoDateTime;
  updatedAt: IsoDateTime;
}

/** One field of a mapping: where a value comes from in the remote record and where it goes. */
export interface FieldMapping {
  /** Dot path in the remote record, e.g. "properties.email". */
  source: string;
  /** Dot path in the mapped record, e.g. "email". */
  target: string;
  /** A missing value without a default is a validation error. */
  required: boolean;
  /** Used when the source is missing; absent means no default (null is a valid default). */
  default?: JsonValue;
}

/**
 * A transformation applied to one field of the mapped record, after field mapping, in order.
 * A jsonata rule without a field maps the whole record.
 */
export type TransformationRule =
  | { kind: "trim"; field: string }
  | { kind: "lowercase"; field: string }
  | { kind: "uppercase"; field: string }
  | {
      kind: "date_format";
      field: string;
      /** The input format; null reads ISO-8601 or epoch numbers. */
      from: string | null;
      /** "iso", "unix", "unix_ms" or a date pattern such as "yyyy-MM-dd". */
      to: string;
    }
  | {
      kind: "enum_map";
      field: string;
      map: Record<string, string>;
      /** A value missing from the map is kept, cleared, or rejected as a validation error. */
      otherwise: "keep" | "null" | "error";
    }
  | { kind: "default"; field: string; value: JsonValue }
  | { kind: "jsonata"; field: string | null; expression: string };

/** A check on the mapped record; a failing rule makes the record invalid (exit 2, or a rejected row). */
export type ExternalReferenceValidationRule =
  | { kind: "required"; field: string; message?: string }
  | { kind: "type"; field: string; type: "string" | "number" | "boolean" | "object" | "array"; message?: string }
  | { kind: "pattern"; field: string; pattern: string; message?: string }
  | { kind: "one_of"; field: string; values: JsonValue[]; message?: string }
  | { kind: "length"; field: string; min: number | null; max: number | null; message?: string };

/** How `connections sync` treats a mapping. */
export interface SyncPreferences {
  /**
   * Sync jobs pull from the provider; the only direction implemented, and values are added when a
   * feature acts on them (a value nothing acts on would be a lie in the JSON).
   */
  direction: "pull";
  /**
   * A remote record whose entity is already linked to another external record: skip it (reported
   * as an error of the job), move the link to it, or fail the job.
   */
  conflictPolicy: "skip" | "overwrite" | "fail";
  /** How often a scheduled sync should run; null: only when asked. */
  scheduleIntervalMs: number | null;
}

/** An IntegrationMapping: how a provider's records become the platform's entities. */
export interface IntegrationMappingInfo {
  id: MappingId;
  name: string;
  providerId: ProviderId;
  /** Null: applies to every connection of the provider. */
  connectionId: ConnectionId | null;
  entityType: string;
  externalType: string;
  fieldMappings: FieldMapping[];
  transformationRules: TransformationRule[];
  validationRules: ExternalReferenceValidationRule[];
  syncPreferences: SyncPreferences | null;
  createdAt: IsoDateTime;
  updatedAt: IsoDateTime;
}

/** `refs transform` and each imported row: the mapped record, or every problem with it. */
export type ReferenceValidationResult =
  | { valid: true; mappingId: MappingId; record: JsonObject; issues: [] }
  | { valid: false; mappingId: MappingId; record: null; issues: ValidationIssue[] };

/** What a sync or import did to one reference (streamed as NDJSON under --json). */
export interface ExternalReferenceSyncOperation {
  action: "created" | "updated" | "unchanged" | "remote_deleted" | "rejected";
  /** Null when rejected before a reference existed. */
  referenceId: ReferenceId | null;
  connectionId: ConnectionId;
  entityType: string;
  entityId: string | null;
  externalType: string;
  externalId: string;
  /** Why it was rejected; empty otherwise. */
  issues: ValidationIssue[];
  /** The line of the imported file the record starts on; null for a sync. */
  line: number | null;
}

/** `refs import` ends with this summary. */
export interface BulkReferenceOperation {
  source: string;
  connectionId: ConnectionId | null;
  mode: "insert" | "upsert";
  dryRun: boolean;
  /** With --atomic, one rejected row writes nothing. */
  atomic: boolean;
  /** Whether the valid rows were written (false for --dry-run, and for --atomic with rejections). */
  committed: boolean;
  /**
   * Stopped by SIGINT or SIGTERM before the end of the file: the rows read so far were written
   * (unless atomic); importing the file again carries on, the imported rows being unchanged.
   */
  interrupted: boolean;
  read: number;
  /** Written: 0 when nothing was committed (--atomic with rejections); a dry run counts what it would write. */
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** The first rejected rows (all of them go to --errors-out), by line number in the file. */
  firstErrors: Array<{ line: number; issues: ValidationIssue[] }>;
}

/** `refs lookup --entity … | --external …`: every reference of one record across providers. */
export interface CrossReferenceLookupResult {
  query:
    | { kind: "entity"; entityType: string; entityId: string }
    | { kind: "external"; connectionId: ConnectionId; externalType: string; externalId: string };
  references: Array<
    ExternalReference & {
      connection: { id: ConnectionId; name: string; environment: IntegrationEnvironment };
      provider: IntegrationProviderInfo;
    }
  >;
}

/**
 * One change to a reference (`refs history`). Kept in ExternalReferenceAudit: the hash-chained
 * AuditEvent log, whose one-at-a-time appends could not keep up with a bulk import, records each
 * operation in brief (reference.link, reference.unlink, reference.import with counts).
 */
export interface ReferenceAuditEntry {
  id: AuditEventId;
  /** Kept after unlink, which deletes the reference but not its history. */
  referenceId: ReferenceId;
  action: "link" | "update" | "unlink" | "remote_delete";
  /** INTG_ACTOR or the OS user who ran the command. */
  actor: string;
  /** Which command made the change: a manual link/unlink, `refs import`, or `connections sync`. */
  source: "cli" | "import" | "sync";
  /** Fields that changed, with their values before and after (null: absent). */
  changes: Array<{ field: string; from: JsonValue | null; to: JsonValue | null }>;
  createdAt: IsoDateTime;
}

/** `refs metrics`. */
export interface ReferenceMetrics {
  generatedAt: IsoDateTime;
  total: number;
  /** References per connection and entity type. */
  counts: Array<{ connectionId: ConnectionId; connectionName: string; entityType: string; count: number }>;
  /** References that no mapping of their provider covers (entity type and external type match none). */
  orphans: number;
  remoteDeleted: number;
  /** References created per UTC day (YYYY-MM-DD), oldest first. */
  growth: Array<{ day: string; created: number }>;
}

/** An ExternalShareLink; its token is stored hashed and never shown again after creation. */
export interface ExternalShareLinkInfo {
  id: ShareLinkId;
  referenceId: ReferenceId;
  /** Derived: resolving works only while "active" (otherwise exit 4). */
  state: "active" | "expired" | "revoked" | "used_up";
  expiresAt: IsoDateTime;
  revokedAt: IsoDateTime | null;
  /** `--max-uses`; null: unlimited until expiry. */
  maxUses: number | null;
  accessCount: number;
  lastAccessedAt: IsoDateTime | null;
  createdBy: string;
  createdAt: IsoDateTime;
}

/** What `refs share create` returns: the only view with the token, once. */
export type ExternalShareLinkCreated = ExternalShareLinkInfo & { token: string };
