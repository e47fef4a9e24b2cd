import { NotFoundError } from "../../errors.js";
import { col, type SqlClient } from "../../db/sql.js";
import { newId } from "../../lib/ids.js";
import type { IntegrationConnectionStatus } from "../../types/enums.js";
import type { IntegrationEvent } from "../../types/integration/integration.types.js";

// IntegrationEvent rows: what happened to a connection, for `connections events <id>`. Written in
// the transaction of the change they record, so an event never describes a change that rolled back.

export interface EventInput {
  connectionId: string;
  kind: IntegrationEvent["kind"];
  previousStatus?: IntegrationConnectionStatus | null;
  /** Defaults to the connection's status as the caller's transaction sees it. */
  status?: IntegrationConnectionStatus;
  message?: string | null;
}

export async function recordEvent(sql: SqlClient, now: Date, input: EventInput): Promise<void> {
  const status = input.status ?? (await sql.get<{ status: IntegrationConnectionStatus }>(`SELECT "status" FROM "IntegrationConnection" WHERE "id" = ?`, [input.connectionId]))?.status;
  if (!status) return; // the connection is gone: nothing left to describe
  await sql.run(`INSERT INTO "IntegrationEvent" ("id","connectionId","kind","previousStatus","status","message","createdAt") VALUES (?,?,?,?,?,?,?)`, [
    newId("connectionEvent", now), input.connectionId, input.kind, input.previousStatus ?? null, status, input.message ?? null, now,
  ]);
}

export async function listEvents(ctx: { sql: SqlClient }, connectionId: string, options: { since?: Date; limit?: number } = {}): Promise<IntegrationEvent[]> {
  const known = await ctx.sql.get(`SELECT "id" FROM "IntegrationConnection" WHERE "id" = ?`, [connectionId]);
  if (!known) throw new NotFoundError(`There is no connection "${connectionId}".`, undefined, "CONNECTION_NOT_FOUND");
  const rows = await ctx.sql.all<Record<string, unknown>>(
    `SELECT "id","connectionId","kind","previousStatus","status","message","createdAt" FROM "IntegrationEvent" WHERE "connectionId" = ? AND "createdAt" >= ? ORDER BY "createdAt" DESC, "id" DESC LIMIT ?`,
    [connectionId, options.since ?? new Date(0), options.limit ?? 100],
  );
  return rows.map((r) => ({
    id: String(r.id),
    connectionId: String(r.connectionId),
    kind: r.kind as IntegrationEvent["kind"],
    previousStatus: (r.previousStatus as IntegrationConnectionStatus | null) ?? null,
    status: r.status as IntegrationConnectionStatus,
    message: (r.message as string | null) ?? null,
    createdAt: col.iso(r.createdAt)!,
  }));
}
