import { NotFoundError, UsageError } from "../../errors.js";
import type { SqlClient } from "../../db/sql.js";

export interface ConnectionBrief {
  id: string;
  name: string;
  providerId: string;
}

/**
 * A connection named by its id, or by its name when exactly one connection has it (names are
 * unique per provider and environment only).
 */
export async function resolveConnection(sql: SqlClient, idOrName: string): Promise<ConnectionBrief> {
  const byId = await sql.get<ConnectionBrief>(`SELECT "id", "name", "providerId" FROM "IntegrationConnection" WHERE "id" = ?`, [idOrName]);
  if (byId) return byId;
  const byName = await sql.all<ConnectionBrief>(`SELECT "id", "name", "providerId" FROM "IntegrationConnection" WHERE "name" = ? ORDER BY "id" LIMIT 2`, [idOrName]);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw new UsageError(`More than one connection is named "${idOrName}".`, "Give the connection's id (conn_…) instead.", "AMBIGUOUS_CONNECTION");
  throw new NotFoundError(`No connection ${idOrName}.`, "List connections with: intg connections list", "CONNECTION_NOT_FOUND");
}
