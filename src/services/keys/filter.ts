import type { ApiKeyStatus } from "../../types/enums.js";
import type { ApiKeyFilter } from "../../types/integration/api.types.js";

/** SQL for one effective status (see effectiveStatus): stored status, corrected by the clock. */
function statusClause(status: ApiKeyStatus, params: unknown[], now: Date): string {
  const live = `(k."expiresAt" IS NULL OR k."expiresAt" > ?)`;
  switch (status) {
    case "ACTIVE":
      params.push(now);
      return `(k."status" = 'ACTIVE' AND ${live})`;
    case "ROTATING":
      params.push(now, now);
      return `(k."status" = 'ROTATING' AND ${live} AND (k."graceEndsAt" IS NULL OR k."graceEndsAt" > ?))`;
    case "EXPIRED":
      params.push(now, now);
      return `(k."status" = 'EXPIRED' OR (k."status" IN ('ACTIVE', 'ROTATING') AND (k."expiresAt" <= ? OR (k."status" = 'ROTATING' AND k."graceEndsAt" <= ?))))`;
    case "REVOKED":
      return `(k."status" = 'REVOKED')`;
  }
}

/** A WHERE clause (with its parameters) selecting the keys a filter describes; all of it ANDed. */
export function whereKeys(filter: ApiKeyFilter, now: Date): { where: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.status?.length) parts.push(`(${filter.status.map((s) => statusClause(s, params, now)).join(" OR ")})`);
  for (const scope of filter.scopes ?? []) {
    parts.push(`EXISTS (SELECT 1 FROM "ApiKeyScopeGrant" g WHERE g."apiKeyId" = k."id" AND g."scope" = ?)`);
    params.push(scope);
  }
  if (filter.environment) {
    parts.push(`k."environment" = ?`);
    params.push(filter.environment);
  }
  if (filter.ownerId) {
    parts.push(`k."ownerId" = ?`);
    params.push(filter.ownerId);
  }
  if (filter.expiresBefore) {
    parts.push(`k."expiresAt" IS NOT NULL AND k."expiresAt" <= ?`);
    params.push(new Date(filter.expiresBefore));
  }
  if (filter.notUsedSince) {
    // Never used counts from creation: a key made yesterday is not "unused for 90 days".
    parts.push(`COALESCE(k."lastUsedAt", k."createdAt") <= ?`);
    params.push(new Date(filter.notUsedSince));
  }
  return { where: parts.length ? parts.join(" AND ") : "1=1", params };
}
