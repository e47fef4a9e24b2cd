import type { Insertable, Selectable, Updateable } from "kysely";
import type { IntegrationMapping } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";

// Statements on "IntegrationMapping" that backups and syncs make: how a provider's records map
// onto the platform's entities.

export type MappingRow = Selectable<IntegrationMapping>;

/** Every mapping, by id (a backup holds them all). */
export function allMappingRows(db: Db): Promise<MappingRow[]> {
  return db.selectFrom("IntegrationMapping").selectAll().orderBy("id").execute();
}

export async function insertMappingRow(db: Db, row: Insertable<IntegrationMapping>): Promise<void> {
  await db.insertInto("IntegrationMapping").values(row).execute();
}

export async function mappingExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom("IntegrationMapping").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
}

export async function mappingIdNamed(db: Db, name: string): Promise<string | undefined> {
  return (await db.selectFrom("IntegrationMapping").select("id").where("name", "=", name).executeTakeFirst())?.id;
}

/**
 * The mapping a sync of a connection's records of one external type goes through: the
 * connection's own first, else the provider-wide one; by name among equals.
 */
export function mappingForSync(
  db: Db,
  providerId: string,
  externalType: string,
  connectionId: string,
): Promise<MappingRow | undefined> {
  return (
    db
      .selectFrom("IntegrationMapping")
      .selectAll()
      .where("providerId", "=", providerId)
      .where("externalType", "=", externalType)
      .where((eb) => eb.or([eb("connectionId", "=", connectionId), eb("connectionId", "is", null)]))
      // false (the connection's own) sorts before true on both providers
      .orderBy((eb) => eb("connectionId", "is", null))
      .orderBy("name")
      .limit(1)
      .executeTakeFirst()
  );
}

// Every statement on "IntegrationMapping" made by `refs mappings`: how a provider's records map
// onto the platform's (field mappings, transformation and validation rules, sync preferences).

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
