import type { Selectable } from "kysely";
import type { WebhookDeliveryAttempt } from "../generated/kysely/types.js";
import { type Db, type Prepared, prepare } from "../kysely.js";
import type { Provider } from "../url.js";

// Every statement on "WebhookDeliveryAttempt": each request made for a delivery (or tried and
// refused before sending), with what it sent and what came back.

// ─── the worker, deliveries, export and replay ───

/** An attempt as the worker records it; the headers as JSON text (see jsonText), null when none. */
export type NewAttempt = Omit<Selectable<WebhookDeliveryAttempt>, "requestHeaders" | "responseHeaders"> & {
  requestHeaders: string | null;
  responseHeaders: string | null;
};

// Every column of NewAttempt, in the order the compiled INSERT binds them.
const ATTEMPT_COLUMNS = Object.keys({
  id: 1, deliveryId: 1, endpointId: 1, attemptNumber: 1, trigger: 1, startedAt: 1, durationMs: 1, statusCode: 1,
  responseHeaders: 1, responseBody: 1, error: 1, succeeded: 1, requestHeaders: 1, requestBody: 1,
} satisfies Record<keyof NewAttempt, 1>) as (keyof NewAttempt)[];

const inserts = new Map<string, Prepared<unknown, `${number}`>>();

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

function prepareInsert(provider: Provider, count: number): Prepared<unknown, `${number}`> {
  const fields = ATTEMPT_COLUMNS.length;
  const names = Array.from({ length: count * fields }, (_, i) => `${i}` as const);
  return prepare(provider, names, (k, p) => {
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
