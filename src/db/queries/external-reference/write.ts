import type { Db } from "../../kysely.js";
import type { Insertable, Updateable } from "kysely";
import type { ExternalReference } from "../../generated/kysely/types.js";

// The single-row writes of `refs link` and `refs unlink`.
export async function insertReference(db: Db, row: Insertable<ExternalReference>): Promise<void> {
  await db.insertInto("ExternalReference").values(row).execute();
}

export async function updateReference(db: Db, id: string, set: Updateable<ExternalReference>): Promise<void> {
  await db.updateTable("ExternalReference").set(set).where("id", "=", id).execute();
}

export async function deleteReference(db: Db, id: string): Promise<void> {
  await db.deleteFrom("ExternalReference").where("id", "=", id).execute();
}
