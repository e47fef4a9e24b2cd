import { NotFoundError } from "../../errors.js";
import { col, type SqlClient } from "../../db/sql.js";
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

export async function connectionAnalytics(ctx: { sql: SqlClient }, input: AnalyticsInput): Promise<IntegrationAnalytics[]> {
  const rows = await findConnectionRows(ctx.sql, input.connectionId ? { ids: [input.connectionId] } : {});
  if (input.connectionId && rows.length === 0) throw new NotFoundError(`There is no connection "${input.connectionId}".`, undefined, "CONNECTION_NOT_FOUND");
  const only = input.connectionId ? ` AND "connectionId" = ?` : "";
  const extra = input.connectionId ? [input.connectionId] : [];
  const requests = await ctx.sql.rows(`SELECT "connectionId", "statusCode", "latencyMs", "errorKind" FROM "ExternalApiRequest" WHERE "createdAt" >= ? AND "createdAt" <= ?${only}`, [input.since, input.until, ...extra]);
  const checks = await ctx.sql.rows(`SELECT "connectionId", "status" FROM "IntegrationHealthCheck" WHERE "checkedAt" >= ? AND "checkedAt" <= ?${only}`, [input.since, input.until, ...extra]);
  const window = { since: input.since.toISOString(), until: input.until.toISOString() };
  return rows.map((row) => {
    const mine = requests.filter((r) => r[0] === row.id);
    const errors = mine.filter((r) => r[3] !== null).length;
    const health = checks.filter((c) => c[0] === row.id);
    const healthy = health.filter((c) => c[1] === "HEALTHY").length;
    return {
      connectionId: row.id,
      connectionName: row.name,
      providerSlug: String(row.p_slug),
      environment: row.environment,
      window,
      requests: mine.length,
      errors,
      errorRate: mine.length ? errors / mine.length : null,
      rateLimited: mine.filter((r) => r[1] !== null && col.int(r[1]) === 429).length,
      latencyMs: percentiles(mine.map((r) => col.int(r[2]))),
      healthChecks: health.length,
      uptime: health.length ? healthy / health.length : null,
    };
  });
}
