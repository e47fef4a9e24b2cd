import type { ExpressionBuilder, Insertable, Selectable, Updateable } from "kysely";
import type { IntegrationCategory, IntegrationProviderStatus } from "../generated/kysely/enums.js";
import type { DB, IntegrationProvider } from "../generated/kysely/types.js";
import { count, type Db } from "../kysely.js";

// Every statement on "IntegrationProvider": the providers connections are made to.

export type ProviderRow = Selectable<IntegrationProvider>;
/** A provider with how many connections use it (the views show the count). */
export type CountedProviderRow = ProviderRow & { connectionCount: number };

export interface ProviderFilter {
  status?: IntegrationProviderStatus;
  category?: IntegrationCategory;
}

const connectionCount = (eb: ExpressionBuilder<DB, "IntegrationProvider">) =>
  eb
    .selectFrom("IntegrationConnection")
    .select((c) => c.fn.countAll().as("n"))
    .whereRef("IntegrationConnection.providerId", "=", "IntegrationProvider.id")
    .as("connectionCount");

const counted = (db: Db) =>
  db.selectFrom("IntegrationProvider").selectAll("IntegrationProvider").select(connectionCount);
// COUNT is a bigint string on PostgreSQL, a number on SQLite.
const withCount = <T extends { connectionCount: string | number | bigint | null }>(r: T) => ({
  ...r,
  connectionCount: count(r.connectionCount ?? 0),
});

/** A provider by its id or its slug, with its connection count. */
export async function providerByRef(db: Db, ref: string): Promise<CountedProviderRow | undefined> {
  const row = await counted(db)
    .where((eb) => eb.or([eb("id", "=", ref), eb("slug", "=", ref)]))
    .executeTakeFirst();
  return row && withCount(row);
}

/** Providers by slug, with their connection counts. */
export async function providerRows(db: Db, filter: ProviderFilter = {}): Promise<CountedProviderRow[]> {
  let q = counted(db);
  if (filter.status) q = q.where("status", "=", filter.status);
  if (filter.category) q = q.where("category", "=", filter.category);
  return (await q.orderBy("slug").execute()).map(withCount);
}

/** Every provider row as stored, by id (a backup checks each one's integrity MAC). */
export function allProviderRows(db: Db): Promise<ProviderRow[]> {
  return db.selectFrom("IntegrationProvider").selectAll().orderBy("id").execute();
}

/** The id of the provider with this slug other than `exceptId`, if any. */
export async function providerIdBySlug(db: Db, slug: string, exceptId?: string): Promise<string | undefined> {
  let q = db.selectFrom("IntegrationProvider").select("id").where("slug", "=", slug);
  if (exceptId !== undefined) q = q.where("id", "<>", exceptId);
  return (await q.executeTakeFirst())?.id;
}

export async function providerExists(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom("IntegrationProvider").select("id").where("id", "=", id).executeTakeFirst();
  return row !== undefined;
}

/** The provider's own default rate limit; undefined when there is no such provider. */
export async function providerRateLimit(
  db: Db,
  id: string,
): Promise<{ rateLimitPerMinute: number | null } | undefined> {
  return db.selectFrom("IntegrationProvider").select("rateLimitPerMinute").where("id", "=", id).executeTakeFirst();
}

export async function insertProviderRow(db: Db, row: Insertable<IntegrationProvider>): Promise<void> {
  await db.insertInto("IntegrationProvider").values(row).execute();
}

export async function updateProviderRow(db: Db, id: string, set: Updateable<IntegrationProvider>): Promise<void> {
  await db.updateTable("IntegrationProvider").set(set).where("id", "=", id).execute();
}

// For the integrity services (the configuration MAC).

type Provider = Selectable<IntegrationProvider>;
type Column = keyof Provider & string;
export type ProviderMacRow = Pick<Provider, "id"> & Partial<Provider>;

/** The columns the configuration MAC covers, of one provider. */
export function providerMacFields(db: Db, id: string, columns: readonly Column[]): Promise<ProviderMacRow | undefined> {
  return db
    .selectFrom("IntegrationProvider")
    .select(["id", ...columns])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** The same for every provider that has no MAC yet (written before intg sealed them), by id. */
export function unsealedProviders(db: Db, columns: readonly Column[]): Promise<ProviderMacRow[]> {
  const q = db
    .selectFrom("IntegrationProvider")
    .select(["id", ...columns])
    .where("configMac", "is", null);
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

// Statements on "IntegrationProvider" that the references read: a provider named by id or slug.

export function providerByIdOrSlug(db: Db, idOrSlug: string): Promise<{ id: string; slug: string } | undefined> {
  return db
    .selectFrom("IntegrationProvider")
    .select(["id", "slug"])
    .where((eb) => eb.or([eb("id", "=", idOrSlug), eb("slug", "=", idOrSlug)]))
    .executeTakeFirst();
}
