import type { Selectable } from "kysely";
import type { IntegrationConnection } from "../generated/kysely/types.js";
import { count, type Db } from "../kysely.js";

// Every statement on "IntegrationConnection".

// ---- For the secrets and integrity services (secrets delete; the configuration MAC) ----

type Column = keyof IntegrationConnection & string;
export type ConnectionMacRow = Pick<Selectable<IntegrationConnection>, "id"> & Partial<Selectable<IntegrationConnection>>;

/** The connections whose credential is this secret, by id. */
export async function connectionIdsWithCredential(db: Db, secretId: string): Promise<string[]> {
  const rows = await db.selectFrom("IntegrationConnection").select("id").where("credentialSecretId", "=", secretId).orderBy("id").execute();
  return rows.map((r) => r.id);
}

/** The columns the configuration MAC covers, of one connection. */
export function connectionMacFields(db: Db, id: string, columns: readonly Column[]): Promise<ConnectionMacRow | undefined> {
  return db.selectFrom("IntegrationConnection").select(["id", ...columns]).where("id", "=", id).executeTakeFirst();
}

/** The same for every connection that has no MAC yet (written before intg sealed them), by id. */
export function unsealedConnections(db: Db, columns: readonly Column[]): Promise<ConnectionMacRow[]> {
  return db.selectFrom("IntegrationConnection").select(["id", ...columns]).where("configMac", "is", null).orderBy("id").execute();
}

export async function setConnectionConfigMac(db: Db, id: string, configMac: string): Promise<void> {
  await db.updateTable("IntegrationConnection").set({ configMac }).where("id", "=", id).execute();
}

/** Connections with a MAC: any means an integrity root existed once. */
export async function countSealedConnections(db: Db): Promise<number> {
  const row = await db.selectFrom("IntegrationConnection").select((eb) => eb.fn.countAll().as("n")).where("configMac", "is not", null).executeTakeFirst();
  return count(row?.n);
}
