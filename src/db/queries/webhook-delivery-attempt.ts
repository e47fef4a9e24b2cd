import { type Expression, sql, type SqlBool, type Selectable } from "kysely";
import { count, type Db } from "../kysely.js";
import { clientOf, prepared, providerOf } from "../prepared.js";
import { jsonRows } from "../json-rows.js";
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

// PostgreSQL's type for each column of the JSON rows insertAttempts sends (JSON has no dates).
const ATTEMPT_TYPES: Record<keyof NewAttempt, string> = {
  id: "text",
  deliveryId: "text",
  endpointId: "text",
  attemptNumber: "int",
  trigger: "text",
  startedAt: "timestamp(3)",
  durationMs: "int",
  statusCode: "int",
  responseHeaders: "text",
  responseBody: "text",
  error: "text",
  succeeded: "boolean",
  requestHeaders: "text",
  requestBody: "text",
};

// An attempt's id is made once, before its batch is first written: a batch written again (its
// COMMIT's answer was lost) repeats the ids, and skips the rows already there. The id is the key,
// not (deliveryId, attemptNumber): two requests can carry one number (a lease that ran out mid-send,
// and the delivery claimed and sent again), and both are recorded.

// SQLite: one row a statement, the same statement for every attempt. Measured against 100-row
// statements there it costs less per row, and it is compiled once, where a statement per row count
// was compiled again for nearly every batch's last chunk.
const insertOne = prepared(ATTEMPT_COLUMNS, (k, p) =>
  k
    .insertInto("WebhookDeliveryAttempt")
    .values(p)
    .onConflict((oc) => oc.column("id").doNothing()),
);

// PostgreSQL: every row in one statement, sent as one JSON array (one round trip, one shape).
const insertAll = prepared(["rows"], (k, p) => {
  const record = sql.join(ATTEMPT_COLUMNS.map((c) => sql`${sql.ref(c)} ${sql.raw(ATTEMPT_TYPES[c])}`));
  const json = (c: keyof NewAttempt) => (c === "requestHeaders" || c === "responseHeaders" ? sql`::jsonb` : sql``);
  const columns = sql.join(ATTEMPT_COLUMNS.map((c) => sql`${sql.ref(`v.${c}`)}${json(c)}`));
  return k
    .insertInto("WebhookDeliveryAttempt")
    .columns(ATTEMPT_COLUMNS)
    .expression(sql`select ${columns} from json_to_recordset(${p.rows}::json) as v(${record})`)
    .onConflict((oc) => oc.column("id").doNothing());
});

// PostgreSQL on intg's own connection: COPY. Measured on 512 attempts, the server spent 11 ms on
// the COPY against 15 ms on the INSERT over JSON rows, and the text is about half the bytes (no
// key per value, the headers' JSON not escaped a second time). COPY cannot skip a row: an id
// already there fails it (attemptRecorded), and the batch's transaction with it.
const COPY_ATTEMPTS = `COPY "WebhookDeliveryAttempt" (${ATTEMPT_COLUMNS.map((c) => `"${c}"`).join(", ")}) FROM STDIN`;

// COPY's text format: tab-separated, \N for NULL, a backslash, tab, newline or carriage return
// inside a value escaped with a backslash. A lone surrogate goes out as U+FFFD, as a bound string.
const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
const text = (v: string | null) =>
  v === null ? "\\N" : SPECIAL.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : v;
const int = (v: number | null) => (v === null ? "\\N" : String(v));

/** Attempts as COPY text, in ATTEMPT_COLUMNS order; a TIMESTAMP ignores the zone, so UTC is kept. */
export function attemptCopyText(attempts: readonly NewAttempt[]): string {
  let out = "";
  for (const a of attempts) {
    out += `${text(a.id)}\t${text(a.deliveryId)}\t${text(a.endpointId)}\t${a.attemptNumber}\t${text(a.trigger)}\t`;
    out += `${a.startedAt.toISOString()}\t${a.durationMs}\t${int(a.statusCode)}\t${text(a.responseHeaders)}\t`;
    out += `${text(a.responseBody)}\t${text(a.error)}\t${a.succeeded ? "t" : "f"}\t${text(a.requestHeaders)}\t`;
    out += `${text(a.requestBody)}\n`;
  }
  return out;
}

/**
 * Inserts a batch's attempts (the worker records thousands a second), skipping an id already
 * there; returns how many were new. On intg's own PostgreSQL connection an id already there fails
 * the statement instead (see attemptRecorded).
 */
export async function insertAttempts(db: Db, provider: Provider, attempts: readonly NewAttempt[]): Promise<number> {
  if (provider === "postgresql") {
    if (attempts.length === 0) return 0;
    const client = clientOf(db);
    // An app's Prisma client (intgOnPrisma) offers no COPY: one INSERT over JSON rows there. A
    // driver that counts nothing counts as all new, so the batch is written as before.
    if (!client?.copyFrom) {
      const r = await insertAll.run(db, { rows: jsonRows(attempts) });
      return Number(r.numAffectedRows ?? attempts.length);
    }
    const copy = await client.copyFrom(COPY_ATTEMPTS);
    await new Promise<void>((resolve, reject) => {
      copy.once("finish", resolve).once("error", reject);
      copy.end(attemptCopyText(attempts));
    });
    return attempts.length;
  }
  let inserted = 0;
  for (const a of attempts) if ((await insertOne.run(db, a)).numAffectedRows !== 0n) inserted++;
  return inserted;
}

/**
 * True for the error of a COPY that met an attempt id already recorded (PostgreSQL's unique_violation).
 * By table, not by the constraint's name, which a database not made by intg's migrations may not share:
 * the table's one unique key is its id.
 */
export function attemptRecorded(error: unknown): boolean {
  const e = error as { code?: unknown; table?: unknown } | null;
  return e?.code === "23505" && e.table === "WebhookDeliveryAttempt";
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

/** How many of an endpoint's latest attempts its recent response time is the mean of. */
const RECENT_ATTEMPTS = 8;

const recentDuration = prepared(["endpoint"], (k, p) =>
  k
    .selectFrom(
      k
        .selectFrom("WebhookDeliveryAttempt")
        .select("durationMs")
        .where("endpointId", "=", p.endpoint)
        .orderBy("startedAt", "desc")
        .limit(RECENT_ATTEMPTS)
        .as("a"),
    )
    .select((eb) => eb.fn.avg<number | string | null>("a.durationMs").as("ms")),
);

/**
 * The mean duration (ms) of an endpoint's latest attempts, by any worker; null before its first.
 * The rate-limited claim reads it every 100 ms: the (endpointId, startedAt) index, read backwards.
 */
export async function recentAttemptMs(db: Db, endpointId: string): Promise<number | null> {
  const ms = (await recentDuration.first(db, { endpoint: endpointId }))?.ms;
  return ms === null || ms === undefined ? null : Number(ms);
}
