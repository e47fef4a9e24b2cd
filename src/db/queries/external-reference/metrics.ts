import { providerOf } from "../../prepared.js";
import type { Db } from "../../kysely.js";
import { sql } from "kysely";

// The counts of `refs metrics`.
/** References per connection and entity type, with the connection's name. */
export function countsByConnection(db: Db) {
  return db
    .selectFrom("ExternalReference as r")
    .innerJoin("IntegrationConnection as c", "c.id", "r.connectionId")
    .select(["r.connectionId", "c.name as connectionName", "r.entityType"])
    .select((eb) => eb.fn.countAll<string | number>().as("count"))
    .groupBy(["r.connectionId", "c.name", "r.entityType"])
    .orderBy("r.connectionId")
    .orderBy("r.entityType")
    .execute();
}

export async function referenceTotals(db: Db): Promise<{ total: number; remoteDeleted: number }> {
  const row = await db
    .selectFrom("ExternalReference")
    .select((eb) => {
      const deleted = eb.case().when(eb.ref("remoteDeleted")).then(eb.lit(1)).else(eb.lit(0)).end();
      const total = eb.fn.countAll<string | number>().as("total");
      return [total, eb.fn.coalesce(eb.fn.sum<string | number>(deleted), eb.lit(0)).as("remoteDeleted")];
    })
    .executeTakeFirst();
  return { total: Number(row?.total ?? 0), remoteDeleted: Number(row?.remoteDeleted ?? 0) };
}

/** References of types no mapping of their provider covers (for every connection, or for their own). */
export async function countOrphans(db: Db): Promise<number> {
  const row = await db
    .selectFrom("ExternalReference as r")
    .innerJoin("IntegrationConnection as c", "c.id", "r.connectionId")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where(({ not, exists, selectFrom, lit }) =>
      not(
        exists(
          selectFrom("IntegrationMapping as m")
            .select(lit(1).as("one"))
            .whereRef("m.providerId", "=", "c.providerId")
            .where((eb) =>
              eb.or([eb("m.connectionId", "is", null), eb("m.connectionId", "=", eb.ref("r.connectionId"))]),
            )
            .whereRef("m.entityType", "=", "r.entityType")
            .whereRef("m.externalType", "=", "r.externalType"),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** References created per UTC day (YYYY-MM-DD) since a time, oldest day first. */
export function createdPerDay(db: Db, since: Date) {
  // SQLite keeps the date as ISO text; PostgreSQL's TIMESTAMP holds UTC.
  const createdAt = sql.ref("r.createdAt");
  const day =
    providerOf(db) === "postgresql"
      ? sql<string>`to_char(${createdAt}, 'YYYY-MM-DD')`
      : sql<string>`substr(${createdAt}, 1, 10)`;
  return db
    .selectFrom("ExternalReference as r")
    .select((eb) => [day.as("day"), eb.fn.countAll<string | number>().as("created")])
    .where("r.createdAt", ">=", since)
    .groupBy(day)
    .orderBy(day)
    .execute();
}
