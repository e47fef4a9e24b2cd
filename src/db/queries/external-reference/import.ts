import { type Db, jsonText } from "../../kysely.js";
import { CompiledQuery, sql } from "kysely";
import { sqliteDate } from "../../sql.js";
import { staged } from "./stage.js";
import { providerOf } from "../../prepared.js";
import { WRITTEN_COLUMNS } from "./columns.js";

// `refs import`: multi-row inserts of a batch, and the merge of the staging table.
/** What the bulk import writes of each row; the times and the actor are the batch's. */
export interface ImportedRef {
  connectionId: string;
  entityType: string;
  entityId: string;
  externalType: string;
  externalId: string;
  metadata: object | null | undefined;
  payloadHash: string | null | undefined;
}

/** A value's place among the batch's values, carried through the builder into the compiled statement. */
class Slot {
  constructor(readonly at: number) {}
}
const PER_ROW = 8;
// Statement sizes, largest first: a batch of the import's 2,000 rows is four statements of 500
// rows; a batch cut short by rejected rows adds a few smaller ones. Each size is compiled once
// (a 2,000-row statement took ~0.1 s and ~30 MB to build, for no gain in running it).
const SIZES = [500, 250, 125, 64, 32, 16, 8, 4, 2, 1];
const shapes = new Map<string, { sql: string; order: number[] }>();

function importShape(db: Db, n: number) {
  const key = `${providerOf(db) === "postgresql" ? "pg" : "sqlite"}:${n}`;
  let shape = shapes.get(key);
  if (shape) return shape;
  const s = (k: number) => new Slot(k) as unknown as string;
  const rows = Array.from({ length: n }, (_, i) => {
    const b = 2 + i * PER_ROW;
    return {
      id: s(b),
      connectionId: s(b + 1),
      entityType: s(b + 2),
      entityId: s(b + 3),
      externalType: s(b + 4),
      externalId: s(b + 5),
      metadata: s(b + 6),
      payloadHash: s(b + 7),
      firstSeenAt: s(0),
      lastModifiedAt: s(0),
      remoteDeleted: sql.lit(false),
      linkedBy: s(1),
      linkedVia: sql.lit("import"),
      createdAt: s(0),
      updatedAt: s(0),
    };
  });
  const compiled = db
    .insertInto("ExternalReference")
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .compile();
  const order = compiled.parameters.map((p) => {
    if (!(p instanceof Slot)) throw new Error("importShape: every value of the statement is a slot");
    return p.at;
  });
  // Only the text and the order are kept: the builder's tree of a statement this size is large.
  shapes.set(key, (shape = { sql: compiled.sql, order }));
  return shape;
}

/**
 * Inserts a batch of imported references (ON CONFLICT DO NOTHING, so a row that hits an existing
 * reference, by either unique key, is skipped); returns how many were inserted. Without RETURNING:
 * nearly every batch inserts every row, and the count says so.
 */
export async function insertImported(
  db: Db,
  rows: readonly ImportedRef[],
  ids: readonly string[],
  now: Date,
  actor: string,
): Promise<number> {
  const at = providerOf(db) === "postgresql" ? now.toISOString() : sqliteDate(now); // formatted once, not per row
  let inserted = 0;
  for (let start = 0; start < rows.length; ) {
    const n = SIZES.find((size) => size <= rows.length - start)!;
    const { sql: text, order } = importShape(db, n);
    const values: unknown[] = [at, actor];
    for (let i = start; i < start + n; i++) {
      const r = rows[i]!;
      const metadata = r.metadata ? jsonText(r.metadata) : null;
      const hash = r.payloadHash ?? null;
      values.push(ids[i], r.connectionId, r.entityType, r.entityId, r.externalType, r.externalId, metadata, hash);
    }
    const result = await db.executeQuery(
      CompiledQuery.raw(
        text,
        order.map((k) => values[k]),
      ),
    );
    inserted += Number(result.numAffectedRows ?? 0n);
    start += n;
  }
  return inserted;
}

/** Which of these ids are references (after an import's batch: the rows it inserted). */
export async function existingReferenceIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const rows = await db.selectFrom("ExternalReference").select("id").where("id", "in", chunk).execute();
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/**
 * PostgreSQL: moves the staged rows (external-reference/stage.ts) into references in file order,
 * ON CONFLICT DO NOTHING, as the batch INSERT does; returns how many were inserted.
 */
export async function mergeStage(db: Db, now: Date, actor: string): Promise<number> {
  const at = sql<Date>`cast(${now.toISOString()} as timestamp(3))`;
  const result = await staged(db)
    .insertInto("ExternalReference")
    .columns(WRITTEN_COLUMNS)
    .expression((eb) =>
      eb
        .selectFrom("ExternalReferenceStage as s")
        .select(["s.id", "s.connectionId", "s.entityType", "s.entityId", "s.externalType", "s.externalId"])
        .select(["s.metadata", "s.payloadHash", at.as("firstSeenAt"), at.as("lastModifiedAt")])
        .select(eb.lit(false).as("remoteDeleted"))
        .select([sql<string>`cast(${actor} as text)`.as("linkedBy"), sql.lit("import").as("linkedVia")])
        .select([at.as("createdAt"), at.as("updatedAt")])
        .orderBy("s.line"),
    )
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}
