import { NotFoundError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { connectionState } from "../../db/queries/integration-connection.js";
import { eventRows, insertEvent } from "../../db/queries/integration-event.js";
import type { SqlClient } from "../../db/sql.js";
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
  const db = typed(sql);
  const status = input.status ?? (await connectionState(db, input.connectionId))?.status;
  if (!status) return; // the connection is gone: nothing left to describe
  await insertEvent(db, {
    id: newId("connectionEvent", now),
    connectionId: input.connectionId,
    kind: input.kind,
    previousStatus: input.previousStatus ?? null,
    status,
    message: input.message ?? null,
    createdAt: now,
  });
}

export async function listEvents(
  ctx: { sql: SqlClient },
  connectionId: string,
  options: { since?: Date; limit?: number } = {},
): Promise<IntegrationEvent[]> {
  const db = typed(ctx.sql);
  if (!(await connectionState(db, connectionId))) {
    throw new NotFoundError(`There is no connection "${connectionId}".`, undefined, "CONNECTION_NOT_FOUND");
  }
  const rows = await eventRows(db, connectionId, options.since ?? new Date(0), options.limit ?? 100);
  return rows.map((r) => ({
    id: r.id,
    connectionId: r.connectionId,
    kind: r.kind as IntegrationEvent["kind"],
    previousStatus: r.previousStatus,
    status: r.status,
    message: r.message,
    createdAt: r.createdAt.toISOString(),
  }));
}
