import type { Selectable } from "kysely";
import type { IntegrationProvider } from "../generated/kysely/types.js";
import { count, type Db } from "../kysely.js";

// Every statement on "IntegrationProvider".

// ---- For the integrity services (the configuration MAC) ----

type Provider = Selectable<IntegrationProvider>;
type Column = keyof Provider & string;
export type ProviderMacRow = Pick<Provider, "id"> & Partial<Provider>;

/** The columns the configuration MAC covers, of one provider. */
export function providerMacFields(db: Db, id: string, columns: readonly Column[]): Promise<ProviderMacRow | undefined> {
  return db.selectFrom("IntegrationProvider").select(["id", ...columns]).where("id", "=", id).executeTakeFirst();
}

/** The same for every provider that has no MAC yet (written before intg sealed them), by id. */
export function unsealedProviders(db: Db, columns: readonly Column[]): Promise<ProviderMacRow[]> {
  const q = db.selectFrom("IntegrationProvider").select(["id", ...columns]).where("configMac", "is", null);
  return q.orderBy("id").execute();
}

export async function setProviderConfigMac(db: Db, id: string, configMac: string): Promise<void> {
  await db.updateTable("IntegrationProvider").set({ configMac }).where("id", "=", id).execute();
}

/** Providers with a MAC: any means an integrity root existed once. */
export async function countSealedProviders(db: Db): Promise<number> {
  const q = db.selectFrom("IntegrationProvider").select((eb) => eb.fn.countAll().as("n"));
  return count((await q.where("configMac", "is not", null).executeTakeFirst())?.n);
}
