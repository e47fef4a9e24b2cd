import type { Insertable, Selectable, Updateable } from "kysely";
import type { IntegrationMapping } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";

// Every statement on "IntegrationMapping" made by `refs mappings`: how a provider's records map
// onto the platform's (field mappings, transformation and validation rules, sync preferences).

export type MappingRow = Selectable<IntegrationMapping>;

/** A mapping by its id (map_…) or its name. */
export function mappingByIdOrName(db: Db, idOrName: string): Promise<MappingRow | undefined> {
  return db
    .selectFrom("IntegrationMapping")
    .selectAll()
    .where((eb) => eb.or([eb("id", "=", idOrName), eb("name", "=", idOrName)]))
    .executeTakeFirst();
}

/** Every mapping, or a provider's, by name. */
export function mappingRows(db: Db, providerId: string | null): Promise<MappingRow[]> {
  let q = db.selectFrom("IntegrationMapping").selectAll();
  if (providerId !== null) q = q.where("providerId", "=", providerId);
  return q.orderBy("name").execute();
}

export async function insertMapping(db: Db, row: Insertable<IntegrationMapping>): Promise<void> {
  await db.insertInto("IntegrationMapping").values(row).execute();
}

export async function updateMappingRow(db: Db, id: string, set: Updateable<IntegrationMapping>): Promise<void> {
  await db.updateTable("IntegrationMapping").set(set).where("id", "=", id).execute();
}

export async function deleteMappingRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom("IntegrationMapping").where("id", "=", id).execute();
}
