// The fields `--json a,b` may select from the reference views (src/types/fields.ts says why and how).
import { fieldsOf } from "../fields.js";
import type {
  BulkReferenceOperation,
  CrossReferenceLookupResult,
  ExternalReference,
  ExternalReferenceSyncOperation,
  ExternalShareLinkCreated,
  ExternalShareLinkInfo,
  IntegrationMappingInfo,
  ReferenceAuditEntry,
  ReferenceMetrics,
  ReferenceValidationResult,
} from "./external-reference.types.js";

export const REFERENCE_FIELDS = fieldsOf<ExternalReference>()({
  id: true,
  connectionId: true,
  entityType: true,
  entityId: true,
  externalType: true,
  externalId: true,
  metadata: true,
  payloadHash: true,
  firstSeenAt: true,
  lastModifiedAt: true,
  remoteDeleted: true,
  remoteDeletedAt: true,
  createdAt: true,
  updatedAt: true,
});
export const LOOKUP_FIELDS = fieldsOf<CrossReferenceLookupResult>()({ query: true, references: true });
export const HISTORY_FIELDS = fieldsOf<ReferenceAuditEntry>()({
  id: true,
  referenceId: true,
  action: true,
  actor: true,
  source: true,
  changes: true,
  createdAt: true,
});
/** `refs import --json`: a line per row, then the summary. */
export const IMPORT_FIELDS = fieldsOf<ExternalReferenceSyncOperation | BulkReferenceOperation>()({
  action: true,
  referenceId: true,
  connectionId: true,
  entityType: true,
  entityId: true,
  externalType: true,
  externalId: true,
  issues: true,
  line: true,
  source: true,
  mode: true,
  dryRun: true,
  atomic: true,
  committed: true,
  interrupted: true,
  read: true,
  inserted: true,
  updated: true,
  unchanged: true,
  rejected: true,
  firstErrors: true,
});
export const REFERENCE_VALIDATION_FIELDS = fieldsOf<ReferenceValidationResult>()({
  valid: true,
  mappingId: true,
  record: true,
  issues: true,
});
export const MAPPING_FIELDS = fieldsOf<IntegrationMappingInfo>()({
  id: true,
  name: true,
  providerId: true,
  connectionId: true,
  entityType: true,
  externalType: true,
  fieldMappings: true,
  transformationRules: true,
  validationRules: true,
  syncPreferences: true,
  createdAt: true,
  updatedAt: true,
});
export const REFERENCE_METRICS_FIELDS = fieldsOf<ReferenceMetrics>()({
  generatedAt: true,
  total: true,
  counts: true,
  orphans: true,
  remoteDeleted: true,
  growth: true,
});
export const SHARE_LINK_FIELDS = fieldsOf<ExternalShareLinkInfo>()({
  id: true,
  referenceId: true,
  state: true,
  expiresAt: true,
  revokedAt: true,
  maxUses: true,
  accessCount: true,
  lastAccessedAt: true,
  createdBy: true,
  createdAt: true,
});
export const SHARE_LINK_CREATED_FIELDS = fieldsOf<ExternalShareLinkCreated>().plus(SHARE_LINK_FIELDS)({ token: true });
