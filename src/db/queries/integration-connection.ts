import type { Selectable } from "kysely";
import type { IntegrationConnection } from "../generated/kysely/types.js";
import { count, type Db } from "../kysely.js";

// Every statement on "IntegrationConnection".

// ---- For the secrets and integrity services (secrets delete; the configuration MAC) ----

type Connection = Selectable<IntegrationConnection>;
type Column = keyof Connection & string;
export type ConnectionMacRow = Pick<Connection, "id"> & Partial<Connection>;

/** The connections whose credential is this secret, by id. */
export async function connectionIdsWithCredential(db: Db, secretId: string): Promise<string[]> {
  const q = db.selectFrom("IntegrationConnection").select("id").where("credentialSecretId", "=", secretId);
  return (await q.orderBy("id").execute()).map((r) => r.id);
}

/** The columns the configuration MAC covers, of one connection. */
export function connectionMacFields(
  db: Db,
  id: string,
  columns: readonly Column[],
): Promise<ConnectionMacRow | undefined> {
  const q = db.selectFrom("IntegrationConnection").select(["id", ...columns]);
  return q.where("id", "=", id).executeTakeFirst();
}

/** The same for every connection that has no MAC yet (written before intg sealed them), by id. */
export function unsealedConnections(db: Db, columns: readonly Column[]): Promise<ConnectionMacRow[]> {
  const q = db.selectFrom("IntegrationConnection").select(["id", ...columns]).where("configMac", "is", null);
  return q.orderBy("id").execute();
}

export async function setConnectionConfigMac(db: Db, id: string, configMac: string): Promise<void> {
  await db.updateTable("IntegrationConnection").set({ configMac }).where("id", "=", id).execute();
}

/** Connections with a MAC: any means an integrity root existed once. */
export async function countSealedConnections(db: Db): Promise<number> {
  const q = db.selectFrom("IntegrationConnection").select((eb) => eb.fn.countAll().as("n"));
  return count((await q.where("configMac", "is not", null).executeTakeFirst())?.n);
}
