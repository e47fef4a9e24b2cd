import { type Expression, sql, type SqlBool, type Selectable } from "kysely";
import { count, type Db } from "../kysely.js";
import { type Compiled, compileFor, providerOf } from "../prepared.js";
import type { WebhookDeliveryAttempt } from "../generated/kysely/types.js";
import type { Provider } from "../url.js";

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

// Every statement on "WebhookDeliveryAttempt": each request made for a delivery (or tried and
// refused before sending), with what it sent and what came back.

/** An attempt as the worker records it; the headers as JSON text (see jsonText), null when none. */
export type NewAttempt = Omit<Selectable<WebhookDeliveryAttempt>, "requestHeaders" | "responseHeaders"> & {
  requestHeaders: string | null;
  responseHeaders: string | null;
};

// Every column of NewAttempt, in the order the compiled INSERT binds them.
const ATTEMPT_COLUMNS = Object.keys({
  id: 1,
  deliveryId: 1,
  endpointId: 1,
  attemptNumber: 1,
  trigger: 1,
  startedAt: 1,
  durationMs: 1,
  statusCode: 1,
  responseHeaders: 1,
  responseBody: 1,
  error: 1,
  succeeded: 1,
  requestHeaders: 1,
  requestBody: 1,
} satisfies Record<keyof NewAttempt, 1>) as (keyof NewAttempt)[];

const inserts = new Map<string, Compiled<unknown, `${number}`>>();

/**
 * Inserts a run of attempts in one statement (a few hundred at most: every value is a parameter),
 * compiled once per provider and row count: the worker records thousands a second.
 */
export async function insertAttempts(db: Db, provider: Provider, attempts: readonly NewAttempt[]): Promise<void> {
  const key = `${provider}:${attempts.length}`;
  let statement = inserts.get(key);
  if (!statement) inserts.set(key, (statement = prepareInsert(provider, attempts.length)));
  // A value's name is its position: numeric keys, stored as an array's elements are.
  const values: Record<number, unknown> = {};
  let n = 0;
  for (const a of attempts) for (const column of ATTEMPT_COLUMNS) values[n++] = a[column];
  await statement.run(db, values);
}

function prepareInsert(provider: Provider, count: number): Compiled<unknown, `${number}`> {
  const fields = ATTEMPT_COLUMNS.length;
  const names = Array.from({ length: count * fields }, (_, i) => `${i}` as const);
  return compileFor(provider, names, (k, p) => {
    const row = (r: number) => Object.fromEntries(ATTEMPT_COLUMNS.map((c, i) => [c, p[`${r * fields + i}`]!]));
    const rows = Array.from({ length: count }, (_, r) => row(r) as Record<keyof NewAttempt, never>);
    return k.insertInto("WebhookDeliveryAttempt").values(rows);
  });
}

export type AttemptRow = Selectable<WebhookDeliveryAttempt>;

/** Every attempt of a delivery, in the order they were made. */
export function attemptsOfDelivery(db: Db, deliveryId: string): Promise<AttemptRow[]> {
  return db
    .selectFrom("WebhookDeliveryAttempt")
    .selectAll()
    .where("deliveryId", "=", deliveryId)
    .orderBy("attemptNumber")
    .orderBy("id")
    .execute();
}
