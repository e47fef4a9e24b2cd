// The fields `--json a,b` may select from the api views (src/types/fields.ts says why and how).
import type { AuditChainReport } from "../../services/audit/verify.js";
import { fieldsOf } from "../fields.js";
import type {
  ApiAuditHead,
  ApiBatchResult,
  ApiKeyCreated,
  ApiKeyIdentification,
  ApiKeyInfo,
  ApiKeyRotationStatus,
  ApiKeyVerificationResult,
  ApiMetrics,
  ApiResponse,
  ApiSecurityAuditEvent,
  IntegrationSecretInfo,
} from "./api.types.js";

export const API_KEY_FIELDS = fieldsOf<ApiKeyInfo>()({
  id: true,
  name: true,
  prefix: true,
  environment: true,
  start: true,
  end: true,
  formatVersion: true,
  status: true,
  scopes: true,
  ownerId: true,
  metadata: true,
  expiresAt: true,
  graceEndsAt: true,
  revokedAt: true,
  revokedReason: true,
  lastUsedAt: true,
  useCount: true,
  rotatedFromId: true,
  rotatedToId: true,
  createdAt: true,
  updatedAt: true,
});
export const API_KEY_CREATED_FIELDS = fieldsOf<ApiKeyCreated>().plus(API_KEY_FIELDS)({ key: true });
/** `keys revoke`: one key, or with a filter the batch (a dry run lists the keys). */
export const API_KEY_REVOKE_FIELDS = fieldsOf<ApiKeyInfo | ApiBatchResult>().plus(API_KEY_FIELDS)({
  request: true,
  matched: true,
  changed: true,
  keys: true,
});
export const API_KEY_ROTATION_STATUS_FIELDS = fieldsOf<ApiKeyRotationStatus>()({
  oldKeyId: true,
  newKeyId: true,
  rotatedAt: true,
  graceEndsAt: true,
  oldKeyValid: true,
  oldKeyLastUsedAt: true,
  oldKeyUsedSinceRotation: true,
  newKeyLastUsedAt: true,
});
export const API_KEY_VERIFICATION_FIELDS = fieldsOf<ApiKeyVerificationResult>()({
  valid: true,
  outcome: true,
  keyId: true,
  status: true,
  scopes: true,
  requiredScope: true,
  expiresAt: true,
  message: true,
});
export const API_KEY_IDENTIFICATION_FIELDS = fieldsOf<ApiKeyIdentification>()({
  wellFormed: true,
  prefix: true,
  environment: true,
  formatVersion: true,
  reason: true,
});
export const API_METRICS_FIELDS = fieldsOf<ApiMetrics>()({
  window: true,
  keysByStatus: true,
  verificationsByOutcome: true,
  rotations: true,
  expiringSoon: true,
});
export const API_RESPONSE_FIELDS = fieldsOf<ApiResponse<unknown>>()({
  requestId: true,
  connectionId: true,
  method: true,
  url: true,
  status: true,
  headers: true,
  body: true,
  latencyMs: true,
});
export const SECRET_FIELDS = fieldsOf<IntegrationSecretInfo>()({
  id: true,
  name: true,
  tokenType: true,
  masterKeyId: true,
  expiresAt: true,
  rotatedAt: true,
  createdAt: true,
  updatedAt: true,
});
export const AUDIT_EVENT_FIELDS = fieldsOf<ApiSecurityAuditEvent>()({
  id: true,
  action: true,
  actor: true,
  targetType: true,
  targetId: true,
  outcome: true,
  reason: true,
  metadata: true,
  createdAt: true,
  previousHash: true,
  eventHash: true,
});
export const AUDIT_HEAD_FIELDS = fieldsOf<ApiAuditHead>()({ seq: true, hash: true, head: true, keyed: true });
export const AUDIT_CHAIN_FIELDS = fieldsOf<AuditChainReport>()({
  ok: true,
  checked: true,
  firstBad: true,
  keyed: true,
  keyedFromSeq: true,
  unsealedTail: true,
  head: true,
  anchors: true,
});
