import { CompiledQuery, type Selectable, sql } from "kysely";
import { DeliveryStatus } from "../../generated/kysely/enums.js";
import type { WebhookDelivery } from "../../generated/kysely/types.js";
import type { Db } from "../../kysely.js";
import { type Compiled, compileFor } from "../../prepared.js";
import type { Provider } from "../../url.js";

// The worker's record of each batch's outcomes.

/** What an attempt made of its delivery, as recordOutcomes writes it. */
export type DeliveryOutcome = Pick<
  Selectable<WebhookDelivery>,
  "id" | "status" | "attemptCount" | "nextAttemptAt" | "lastStatusCode" | "lastError" | "deliveredAt"
> & { lastAttemptAt: Date };

// The VALUES columns in order, with the type PostgreSQL must be told (a bare parameter there is text).
const OUTCOME_COLUMNS = [
  ["id", "text"],
  ["status", `"DeliveryStatus"`],
  ["attemptCount", "int"],
  ["nextAttemptAt", "timestamp(3)"],
  ["lastAttemptAt", "timestamp(3)"],
  ["lastStatusCode", "int"],
  ["lastError", "text"],
  ["deliveredAt", "timestamp(3)"],
] as const satisfies readonly (readonly [keyof DeliveryOutcome, string])[];
type OutcomeRow = {
  column1: string;
  column2: DeliveryStatus;
  column3: number;
  column4: Date | null;
  column5: Date;
  column6: number | null;
  column7: string | null;
  column8: Date | null;
};
// Named by position (`${number}`) for the values, by name for the rest.
type OutcomeNames = "owner" | "now" | `${number}`;
const outcomeStatements = new Map<string, Compiled<unknown, OutcomeNames>>();

/**
 * One UPDATE for a run of deliveries, joined to their new values (a statement per delivery cost
 * twice as much on SQLite, and a round trip each on PostgreSQL), compiled once per provider and
 * row count. Only deliveries `owner` still holds change; each id at most once (with an id twice,
 * which values win is undefined). The status test is written so no index can serve it: a planner
 * without statistics (a young PostgreSQL table) otherwise walks every SENDING row through the
 * status index and joins each to every value row, where it should find each delivery by its id
 * (priceOutSeqScans prices out the other wrong plan, a sequential scan).
 */
export async function recordOutcomes(
  db: Db,
  provider: Provider,
  owner: string,
  now: Date,
  outcomes: readonly DeliveryOutcome[],
): Promise<void> {
  const key = `${provider}:${outcomes.length}`;
  let statement = outcomeStatements.get(key);
  if (!statement) outcomeStatements.set(key, (statement = prepareOutcomes(provider, outcomes.length)));
  // A value's name is its position: numeric keys, stored as an array's elements are.
  const values: Record<OutcomeNames, unknown> & Record<number, unknown> = { owner, now };
  let n = 0;
  for (const o of outcomes) for (const [column] of OUTCOME_COLUMNS) values[n++] = o[column];
  await statement.run(db, values);
}

function prepareOutcomes(provider: Provider, count: number): Compiled<unknown, OutcomeNames> {
  const pg = provider === "postgresql";
  const fields = OUTCOME_COLUMNS.length;
  const names: OutcomeNames[] = ["owner", "now", ...Array.from({ length: count * fields }, (_, i) => `${i}` as const)];
  return compileFor(provider, names, (k, p) => {
    const value = (r: number, i: number, type: string) => {
      const v = p[`${r * fields + i}`];
      return pg ? sql`${v}::${sql.raw(type)}` : sql`${v}`;
    };
    const row = (r: number) => sql`(${sql.join(OUTCOME_COLUMNS.map(([, type], i) => value(r, i, type)))})`;
    const rows = sql<OutcomeRow>`(VALUES ${sql.join(Array.from({ length: count }, (_, r) => row(r)))})`;
    return k
      .updateTable("WebhookDelivery as d")
      .from(rows.as("v"))
      .set((eb) => ({
        status: eb.ref("v.column2"),
        attemptCount: eb.ref("v.column3"),
        nextAttemptAt: eb.ref("v.column4"),
        leaseOwner: null,
        leaseExpiresAt: null,
        lastAttemptAt: eb.ref("v.column5"),
        lastStatusCode: eb.ref("v.column6"),
        lastError: eb.ref("v.column7"),
        deliveredAt: eb.ref("v.column8"),
        updatedAt: p.now,
      }))
      .whereRef("d.id", "=", "v.column1")
      .where("d.leaseOwner", "=", p.owner)
      .where((eb) => eb(eb.parens("d.status", "=", DeliveryStatus.SENDING), "is", true));
  });
}

const SEQSCAN_OFF = CompiledQuery.raw("SET LOCAL enable_seqscan = off");

/**
 * PostgreSQL, inside a transaction: with no index for recordOutcomes' status test, a young table's
 * planner still chose a scan of the whole table, joined to every value row; with sequential scans
 * priced out it finds each delivery by its primary key. For the open transaction only.
 */
export async function priceOutSeqScans(db: Db): Promise<void> {
  await db.executeQuery(SEQSCAN_OFF);
}
