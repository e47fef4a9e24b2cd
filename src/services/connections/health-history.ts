import { NotFoundError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { connectionState } from "../../db/queries/integration-connection.js";
import { healthCheckRows } from "../../db/queries/integration-health-check.js";
import type { IntegrationHealthCheck } from "../../types/integration/integration.types.js";
import type { ServiceContext } from "../context.js";

// `connections checks <id>`: the IntegrationHealthCheck rows `connections check` wrote.

export interface HistoryOptions {
  since?: Date;
  limit?: number;
}

export async function listHealthChecks(
  ctx: Pick<ServiceContext, "sql">,
  connectionId: string,
  options: HistoryOptions = {},
): Promise<IntegrationHealthCheck[]> {
  const db = typed(ctx.sql);
  if (!(await connectionState(db, connectionId))) {
    throw new NotFoundError(`There is no connection "${connectionId}".`, undefined, "CONNECTION_NOT_FOUND");
  }
  const rows = await healthCheckRows(db, connectionId, options.since ?? new Date(0), options.limit ?? 100);
  return rows.map((r) => ({
    id: r.id,
    connectionId: r.connectionId,
    status: r.status,
    latencyMs: r.latencyMs,
    httpStatus: r.httpStatus,
    errorKind: r.errorKind as IntegrationHealthCheck["errorKind"],
    errorMessage: r.errorMessage,
    checkedAt: r.checkedAt.toISOString(),
  }));
}
