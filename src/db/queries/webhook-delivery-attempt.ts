import { type Expression, sql, type SqlBool } from "kysely";
import { count, type Db } from "../kysely.js";
import { providerOf } from "../prepared-once.js";

// Statements on "WebhookDeliveryAttempt" made outside the worker: redacting header values in place,
// the attempts health and metrics measure, and retention's deletes.

/**
 * Replaces the value of header `name` in an endpoint's attempts' requestHeaders with `redacted`,
 * where it is present and not redacted yet; returns how many attempts changed.
 */
export async function redactAttemptHeader(db: Db, endpointId: string, name: string, redacted: string): Promise<number> {
  if (providerOf(db) === "postgresql") {
    const value = sql<string | null>`"requestHeaders" ->> ${name}`;
    const r = await db
      .updateTable("WebhookDeliveryAttempt")
      .set({ requestHeaders: sql`jsonb_set("requestHeaders", ARRAY[${name}]::text[], to_jsonb(${redacted}::text))` })
      .where("endpointId", "=", endpointId)
      .where(value, "is not", null)
      .where(value, "<>", redacted)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
  // A JSON path quotes the name: header names may hold '.', which a path would otherwise split at.
  const path = `$."${name}"`;
  const value = sql<string | null>`json_extract("requestHeaders", ${path})`;
  const r = await db
    .updateTable("WebhookDeliveryAttempt")
    .set({ requestHeaders: sql`json_set("requestHeaders", ${path}, ${redacted})` })
    .where("endpointId", "=", endpointId)
    .where(value, "is not", null)
    .where(value, "<>", redacted)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** An endpoint's attempts started since `since`: their durations and outcomes. */
export function attemptsSince(db: Db, endpointId: string, since: Date) {
  return db
    .selectFrom("WebhookDeliveryAttempt")
    .select(["durationMs", "succeeded"])
    .where("endpointId", "=", endpointId)
    .where("startedAt", ">=", since)
    .execute();
}

/** Every attempt made for an endpoint's deliveries created in [since, until]. */
export function attemptsOfDeliveriesCreated(db: Db, endpointId: string, since: Date, until: Date) {
  return db
    .selectFrom("WebhookDeliveryAttempt as a")
    .innerJoin("WebhookDelivery as d", "d.id", "a.deliveryId")
    .select(["a.durationMs", "a.succeeded", "a.startedAt"])
    .where("d.endpointId", "=", endpointId)
    .where("d.createdAt", ">=", since)
    .where("d.createdAt", "<=", until)
    .execute();
}

/** The attempts of the deliveries `where` (over alias d) selects, and how many kept a response body. */
export async function countAttemptsWhere(db: Db, where: Expression<SqlBool>): Promise<{ n: number; bodies: number }> {
  const row = await db
    .selectFrom("WebhookDeliveryAttempt as a")
    .innerJoin("WebhookDelivery as d", "d.id", "a.deliveryId")
    .select((eb) => [eb.fn.countAll().as("n"), eb.fn.count("a.responseBody").as("bodies")])
    .where(where)
    .executeTakeFirst();
  return { n: count(row?.n), bodies: count(row?.bodies) };
}

/** The same counts for the attempts of the deliveries given. */
export async function countAttemptsOf(db: Db, deliveryIds: readonly string[]): Promise<{ n: number; bodies: number }> {
  const row = await db
    .selectFrom("WebhookDeliveryAttempt")
    .select((eb) => [eb.fn.countAll().as("n"), eb.fn.count("responseBody").as("bodies")])
    .where("deliveryId", "in", deliveryIds)
    .executeTakeFirst();
  return { n: count(row?.n), bodies: count(row?.bodies) };
}

export async function deleteAttemptsOf(db: Db, deliveryIds: readonly string[]): Promise<number> {
  const r = await db.deleteFrom("WebhookDeliveryAttempt").where("deliveryId", "in", deliveryIds).executeTakeFirst();
  return Number(r.numDeletedRows);
}
