import { NotFoundError, UsageError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { connectionById, connectionsNamed, type ConnectionBriefRow } from "../../db/queries/integration-connection.js";
import type { SqlClient } from "../../db/sql.js";
import type { ServiceContext } from "../context.js";

export type ConnectionBrief = ConnectionBriefRow;

/**
 * A connection named by its id, or by its name when exactly one connection has it (names are
 * unique per provider and environment only).
 */
export async function resolveConnection(sql: SqlClient, idOrName: string): Promise<ConnectionBrief> {
  const db = typed(sql);
  const byId = await connectionById(db, idOrName);
  if (byId) return byId;
  const byName = await connectionsNamed(db, idOrName, 2);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1)
    throw new UsageError(
      `More than one connection is named "${idOrName}".`,
      "Give the connection's id (conn_…) instead.",
      "AMBIGUOUS_CONNECTION",
    );
  throw new NotFoundError(
    `No connection ${idOrName}.`,
    "List connections with: intg connections list",
    "CONNECTION_NOT_FOUND",
  );
}

/** The ids of connections given by id or name, in order (for the filters of list and export). */
export async function resolveConnectionIds(
  ctx: Pick<ServiceContext, "sql">,
  idsOrNames: readonly string[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const c of idsOrNames) ids.push((await resolveConnection(ctx.sql, c)).id);
  return ids;
}
