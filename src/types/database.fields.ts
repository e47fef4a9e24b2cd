// The fields `--json a,b` may select from `intg db` and `intg doctor` (src/types/fields.ts says why).
import type { DatabaseInfo, DatabaseStatus, MigrateResult } from "./database.types.js";
import type { DoctorCheck } from "./doctor.types.js";
import { fieldsOf } from "./fields.js";

export const DATABASE_INFO_FIELDS = fieldsOf<DatabaseInfo>()({
  provider: true,
  url: true,
  source: true,
  embedded: true,
  schemaVersion: true,
  pendingMigrations: true,
});
export const DATABASE_STATUS_FIELDS = fieldsOf<DatabaseStatus>()({
  provider: true,
  url: true,
  applied: true,
  pending: true,
  drifted: true,
  upToDate: true,
});
export const MIGRATE_FIELDS = fieldsOf<MigrateResult>()({
  provider: true,
  url: true,
  applied: true,
  dryRun: true,
  upToDate: true,
});
export const DOCTOR_CHECK_FIELDS = fieldsOf<DoctorCheck>()({
  name: true,
  status: true,
  reason: true,
  fix: true,
  credential: true,
});
