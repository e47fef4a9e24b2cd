// The fields `--json a,b` may select from the connection and provider views (see ../fields.ts).
import { fieldsOf } from "../fields.js";
import type {
  IntegrationAnalytics,
  IntegrationBackupSummary,
  IntegrationConfigValidation,
  IntegrationConnectionDeletion,
  IntegrationConnectionImportResult,
  IntegrationConnectionInfo,
  IntegrationEvent,
  IntegrationHealthCheck,
  IntegrationProviderExtended,
  IntegrationRestoreReport,
  IntegrationSyncJob,
  IntegrationTemplate,
  ProviderExportSummary,
  ProviderImportResult,
} from "./integration.types.js";

export const CONNECTION_FIELDS = fieldsOf<IntegrationConnectionInfo>()({
  id: true,
  name: true,
  provider: true,
  environment: true,
  status: true,
  config: true,
  credential: true,
  rateLimitPerMinute: true,
  lastCheckedAt: true,
  lastHealthyAt: true,
  disabledAt: true,
  createdAt: true,
  updatedAt: true,
});
export const CONNECTION_DELETION_FIELDS = fieldsOf<IntegrationConnectionDeletion>()({
  connection: true,
  healthChecks: true,
  dryRun: true,
  deleted: true,
});
export const CONNECTION_IMPORT_FIELDS = fieldsOf<IntegrationConnectionImportResult>()({ created: true, dryRun: true });
export const CONFIG_VALIDATION_FIELDS = fieldsOf<IntegrationConfigValidation>()({ valid: true, issues: true });
export const HEALTH_CHECK_FIELDS = fieldsOf<IntegrationHealthCheck>()({
  id: true,
  connectionId: true,
  status: true,
  latencyMs: true,
  httpStatus: true,
  errorKind: true,
  errorMessage: true,
  checkedAt: true,
});
export const CONNECTION_EVENT_FIELDS = fieldsOf<IntegrationEvent>()({
  id: true,
  connectionId: true,
  kind: true,
  previousStatus: true,
  status: true,
  message: true,
  createdAt: true,
});
export const ANALYTICS_FIELDS = fieldsOf<IntegrationAnalytics>()({
  connectionId: true,
  connectionName: true,
  providerSlug: true,
  environment: true,
  window: true,
  requests: true,
  errors: true,
  errorRate: true,
  rateLimited: true,
  latencyMs: true,
  healthChecks: true,
  uptime: true,
});
export const BACKUP_FIELDS = fieldsOf<IntegrationBackupSummary>()({
  file: true,
  providers: true,
  connections: true,
  mappings: true,
  secrets: true,
});
export const RESTORE_FIELDS = fieldsOf<IntegrationRestoreReport>()({
  dryRun: true,
  created: true,
  existing: true,
  credentials: true,
  withoutCredentials: true,
  conflicts: true,
});
export const SYNC_JOB_FIELDS = fieldsOf<IntegrationSyncJob>()({
  id: true,
  connectionId: true,
  resource: true,
  full: true,
  status: true,
  stalled: true,
  checkpoint: true,
  recordsRead: true,
  recordsCreated: true,
  recordsUpdated: true,
  recordsDeleted: true,
  errors: true,
  leaseOwner: true,
  heartbeatAt: true,
  startedAt: true,
  finishedAt: true,
});
export const PROVIDER_FIELDS = fieldsOf<IntegrationProviderExtended>()({
  baseUrl: true,
  docsUrl: true,
  templateName: true,
  config: true,
  connector: true,
  connectionCount: true,
  createdAt: true,
  updatedAt: true,
  id: true,
  slug: true,
  name: true,
  category: true,
  status: true,
});
export const TEMPLATE_FIELDS = fieldsOf<IntegrationTemplate>()({
  name: true,
  displayName: true,
  category: true,
  baseUrl: true,
  docsUrl: true,
  connector: true,
});
export const PROVIDER_IMPORT_FIELDS = fieldsOf<ProviderImportResult>()({ created: true, updated: true, dryRun: true });
export const PROVIDER_EXPORT_FIELDS = fieldsOf<ProviderExportSummary>()({ file: true, format: true, providers: true });
