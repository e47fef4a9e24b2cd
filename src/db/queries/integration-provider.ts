import type { Db } from "../kysely.js";

// Statements on "IntegrationProvider" that the references read: a provider named by id or slug.

export function providerByIdOrSlug(db: Db, idOrSlug: string): Promise<{ id: string; slug: string } | undefined> {
  return db
    .selectFrom("IntegrationProvider")
    .select(["id", "slug"])
    .where((eb) => eb.or([eb("id", "=", idOrSlug), eb("slug", "=", idOrSlug)]))
    .executeTakeFirst();
}
