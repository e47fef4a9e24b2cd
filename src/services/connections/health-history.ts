import { NotFoundError } from "../../errors.js";
import { col } from "../../db/sql.js";
import type { IntegrationConnectionStatus } from "../../types/enums.js";
import type { IntegrationHealthCheck } from "../../types/integration/integration.types.js";
import type { ServiceContext } from "../context.js";

// `connections checks <id>`: the IntegrationHealthCheck rows `connections check` wrote.

export interface HistoryOptions {
  since?: Date;
  limit?: number;
}

export async function listHealthChecks(ctx: Pick<ServiceContext, "sql">, connectionId: string, options: HistoryOptions = {}): Promise<IntegrationHealthCheck[]> {
  const known = await ctx.sql.get(`SELECT "id" FROM "IntegrationConnection" WHERE "id" = ?`, [connectionId]);
  if (!known) throw new NotFoundError(`There is no connection "${connectionId}".`, undefined, "CONNECTION_NOT_FOUND");
  const rows = await ctx.sql.all<Record<string, unknown>>(
    `SELECT "id","connectionId","status","latencyMs","httpStatus","errorKind","errorMessage","checkedAt" FROM "IntegrationHealthCheck" WHERE "connectionId" = ? AND "checkedAt" >= ? ORDER BY "checkedAt" DESC, "id" DESC LIMIT ?`,
    [connectionId, options.since ?? new Date(0), options.limit ?? 100],
  );
  return rows.map((r) => ({
    id: String(r.id),
    connectionId: String(r.connectionId),
    status: r.status as IntegrationConnectionStatus,
    latencyMs: r.latencyMs === null ? null : col.int(r.latencyMs),
    httpStatus: r.httpStatus === null ? null : col.int(r.httpStatus),
    errorKind: r.errorKind as IntegrationHealthCheck["errorKind"],
    errorMessage: (r.errorMessage as string | null) ?? null,
    checkedAt: col.iso(r.checkedAt)!,
  }));
}
