import type { Insertable, Selectable } from "kysely";
import type { IntegrationHealthCheck } from "../generated/kysely/types.js";
import { count, type Db } from "../kysely.js";
import { prepared } from "../prepared.js";

// Every statement on "IntegrationHealthCheck": what each `connections check` found.

export type HealthCheckRow = Selectable<IntegrationHealthCheck>;

const COLUMNS = [
  "id",
  "connectionId",
  "status",
  "latencyMs",
  "httpStatus",
  "errorKind",
  "errorMessage",
  "checkedAt",
] as const;

// A check writes one row per connection, in one transaction: compiled once.
const insert = prepared(COLUMNS, (db, p) => db.insertInto("IntegrationHealthCheck").values({ ...p }), {
  key: "integration-health-check.insert",
});

export async function insertHealthCheck(db: Db, row: Insertable<IntegrationHealthCheck>): Promise<void> {
  const { latencyMs = null, httpStatus = null, errorKind = null, errorMessage = null } = row;
  await insert.run(db, { ...row, latencyMs, httpStatus, errorKind, errorMessage });
}

export async function countHealthChecks(db: Db, connectionId: string): Promise<number> {
  const row = await db
    .selectFrom("IntegrationHealthCheck")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("connectionId", "=", connectionId)
    .executeTakeFirst();
  return count(row?.n);
}

/** A connection's checks since a time, newest first. */
export function healthCheckRows(db: Db, connectionId: string, since: Date, limit: number): Promise<HealthCheckRow[]> {
  return db
    .selectFrom("IntegrationHealthCheck")
    .select(COLUMNS)
    .where("connectionId", "=", connectionId)
    .where("checkedAt", ">=", since)
    .orderBy("checkedAt", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

/** Every check's outcome in a window, of one connection or of all (`connections analytics`). */
export function checkOutcomesBetween(db: Db, since: Date, until: Date, connectionId?: string) {
  let q = db
    .selectFrom("IntegrationHealthCheck")
    .select(["connectionId", "status"])
    .where("checkedAt", ">=", since)
    .where("checkedAt", "<=", until);
  if (connectionId !== undefined) q = q.where("connectionId", "=", connectionId);
  return q.execute();
}
