// The fields `--json a,b` may select from the secrets views (src/types/fields.ts says why and how).
import { fieldsOf } from "./fields.js";
import { SECRET_FIELDS } from "./integration/api.fields.js";
import type {
  MasterKeyPruneResult,
  MasterKeyRotationResult,
  SecretDeletion,
  SecretRevealed,
  SecretsStatus,
} from "./secrets.types.js";

export const SECRET_REVEALED_FIELDS = fieldsOf<SecretRevealed>().plus(SECRET_FIELDS)({ value: true });
export const SECRET_DELETION_FIELDS = fieldsOf<SecretDeletion>()({
  secret: true,
  dryRun: true,
  deleted: true,
  detachedConnectionIds: true,
});
export const SECRETS_STATUS_FIELDS = fieldsOf<SecretsStatus>()({
  currentKeyId: true,
  keySource: true,
  keyFile: true,
  total: true,
  notUnderCurrent: true,
  unreadable: true,
  keys: true,
});
export const MASTER_KEY_ROTATION_FIELDS = fieldsOf<MasterKeyRotationResult>()({
  dryRun: true,
  keySource: true,
  toKeyId: true,
  newKey: true,
  fromKeyIds: true,
  reencrypted: true,
  batches: true,
  remaining: true,
  droppedKeyIds: true,
});
export const MASTER_KEY_PRUNE_FIELDS = fieldsOf<MasterKeyPruneResult>()({
  dryRun: true,
  keySource: true,
  keyFile: true,
  currentKeyId: true,
  prunedKeyIds: true,
  keptKeyIds: true,
  unneededEnvKeyIds: true,
});
