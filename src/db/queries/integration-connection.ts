import type { Db } from "../kysely.js";

// Statements on "IntegrationConnection" that the references read: a connection named by id or name.

export interface ConnectionBriefRow {
  id: string;
  name: string;
  providerId: string;
}

export function connectionById(db: Db, id: string): Promise<ConnectionBriefRow | undefined> {
  return db
    .selectFrom("IntegrationConnection")
    .select(["id", "name", "providerId"])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** At most `limit` connections of that name (names are unique per provider and environment only). */
export function connectionsNamed(db: Db, name: string, limit: number): Promise<ConnectionBriefRow[]> {
  return db
    .selectFrom("IntegrationConnection")
    .select(["id", "name", "providerId"])
    .where("name", "=", name)
    .orderBy("id")
    .limit(limit)
    .execute();
}

/** Which of the ids name a connection. */
export async function existingConnectionIds(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("IntegrationConnection").select("id").where("id", "in", ids).execute();
  return rows.map((r) => r.id);
}
