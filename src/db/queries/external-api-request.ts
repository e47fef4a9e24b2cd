import type { Insertable, Selectable } from "kysely";
import type { ExternalApiRequest } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";

// Every statement on "ExternalApiRequest": the log of calls made through connections.

export type RequestRow = Selectable<ExternalApiRequest>;

export async function insertRequest(db: Db, row: Insertable<ExternalApiRequest>): Promise<void> {
  await db.insertInto("ExternalApiRequest").values(row).execute();
}

/** Newest first; both filters are served by the table's indexes. */
export function requestRows(
  db: Db,
  filter: { connectionId?: string; since?: Date },
  limit: number,
): Promise<RequestRow[]> {
  let q = db.selectFrom("ExternalApiRequest").selectAll();
  if (filter.connectionId !== undefined) q = q.where("connectionId", "=", filter.connectionId);
  if (filter.since) q = q.where("createdAt", ">=", filter.since);
  return q.orderBy("createdAt", "desc").orderBy("id", "desc").limit(limit).execute();
}

/** Every request's outcome in a window, of one connection or of all (`connections analytics`). */
export function requestOutcomesBetween(db: Db, since: Date, until: Date, connectionId?: string) {
  let q = db
    .selectFrom("ExternalApiRequest")
    .select(["connectionId", "statusCode", "latencyMs", "errorKind"])
    .where("createdAt", ">=", since)
    .where("createdAt", "<=", until);
  if (connectionId !== undefined) q = q.where("connectionId", "=", connectionId);
  return q.execute();
}
