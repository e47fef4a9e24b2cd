import { NotFoundError } from "../../errors.js";
import { IntegrationConnectionStatus } from "../../db/generated/kysely/enums.js";
import { typed } from "../../db/kysely.js";
import { requestOutcomesBetween } from "../../db/queries/external-api-request.js";
import { checkOutcomesBetween } from "../../db/queries/integration-health-check.js";
import type { SqlClient } from "../../db/sql.js";
import { percentiles } from "../../lib/percentiles.js";
import type { IntegrationAnalytics } from "../../types/integration/integration.types.js";
import { findConnectionRows } from "./rows.js";

// `connections analytics`: per connection, over a window, from the request log (ExternalApiRequest)
// and the health history (IntegrationHealthCheck).

export interface AnalyticsInput {
  connectionId?: string;
  since: Date;
  until: Date;
}

/** Rows grouped by their connection, in one pass (a window can hold many requests). */
function byConnection<T extends { connectionId: string | null }>(rows: T[]): Map<string | null, T[]> {
  const groups = new Map<string | null, T[]>();
  for (const r of rows) {
    const group = groups.get(r.connectionId);
    if (group) group.push(r);
    else groups.set(r.connectionId, [r]);
  }
  return groups;
}

export async function connectionAnalytics(
  ctx: { sql: SqlClient },
  input: AnalyticsInput,
): Promise<IntegrationAnalytics[]> {
  const rows = await findConnectionRows(ctx.sql, input.connectionId ? { ids: [input.connectionId] } : {});
  if (input.connectionId && rows.length === 0)
    throw new NotFoundError(`There is no connection "${input.connectionId}".`, undefined, "CONNECTION_NOT_FOUND");
  const db = typed(ctx.sql);
  const requests = byConnection(await requestOutcomesBetween(db, input.since, input.until, input.connectionId));
  const checks = byConnection(await checkOutcomesBetween(db, input.since, input.until, input.connectionId));
  const window = { since: input.since.toISOString(), until: input.until.toISOString() };
  return rows.map((row) => {
    const mine = requests.get(row.id) ?? [];
    const errors = mine.filter((r) => r.errorKind !== null).length;
    const health = checks.get(row.id) ?? [];
    const healthy = health.filter((c) => c.status === IntegrationConnectionStatus.HEALTHY).length;
    return {
      connectionId: row.id,
      connectionName: row.name,
      providerSlug: row.provider.slug,
      environment: row.environment,
      window,
      requests: mine.length,
      errors,
      errorRate: mine.length ? errors / mine.length : null,
      rateLimited: mine.filter((r) => r.statusCode === 429).length,
      latencyMs: percentiles(mine.map((r) => r.latencyMs)),
      healthChecks: health.length,
      uptime: health.length ? healthy / health.length : null,
    };
  });
}
