import type { Writable } from "node:stream";
import { sql } from "kysely";
import { type Db, jsonText } from "../../kysely.js";
import type { SqlClient } from "../../sql.js";
import type { ImportedRef } from "./import.js";
import { LINK_COLUMNS } from "./columns.js";

// Every statement on "ExternalReferenceStage", the bulk import's staging table on PostgreSQL: a
// temporary table, dropped at the end of the transaction, that the import's rows are streamed
// into with COPY … FROM STDIN and then merged into "ExternalReference" with one INSERT … SELECT
// (import.ts). COPY skips a statement's parsing and binding per row.

export interface StageRow {
  /** The row's line in the imported file. */
  line: number;
  id: string;
  connectionId: string;
  entityType: string;
  entityId: string;
  externalType: string;
  externalId: string;
  metadata: unknown | null;
  payloadHash: string | null;
  /** Which of metadata (1) and payloadHash (2) the row gave: an absent one keeps a reference's value. */
  given: number;
}
export type StageTables = { ExternalReferenceStage: StageRow };
export const staged = (db: Db) => db.withTables<StageTables>();

const TABLE = "ExternalReferenceStage";
const COLUMNS = ["line", "id", ...LINK_COLUMNS, "metadata", "payloadHash", "given"];
const CURSOR = "intg_import_conflicts";

/** Creates the staging table for this transaction (dropped when it ends). */
export async function createStage(db: Db): Promise<void> {
  await db.schema
    .createTable(TABLE)
    .temporary()
    .ifNotExists()
    .onCommit("drop")
    .addColumn("line", "integer", (c) => c.notNull())
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("connectionId", "text", (c) => c.notNull())
    .addColumn("entityType", "text", (c) => c.notNull())
    .addColumn("entityId", "text", (c) => c.notNull())
    .addColumn("externalType", "text", (c) => c.notNull())
    .addColumn("externalId", "text", (c) => c.notNull())
    .addColumn("metadata", "jsonb")
    .addColumn("payloadHash", "text")
    .addColumn("given", "smallint", (c) => c.notNull())
    .execute();
}

/** Empties the staging table, for the next rows of the same transaction. */
export async function clearStage(db: Db): Promise<void> {
  await sql`TRUNCATE ${sql.table(TABLE)}`.execute(db);
}

/** A COPY into the staging table, fed with copyText(); see SqlClient.copyFrom. */
export function copyIntoStage(tx: SqlClient): Promise<Writable> {
  if (!tx.copyFrom) throw new Error("COPY needs PostgreSQL");
  return tx.copyFrom(`COPY "${TABLE}" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) FROM STDIN`);
}

// COPY's text format: tab-separated, \N for NULL, and a backslash, tab, newline or carriage
// return inside a value escaped with a backslash.
const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
export const copyValue = (v: string) => (SPECIAL.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : v);
const esc = copyValue;

/** Rows as COPY text, each with its line and id, in COLUMNS order. */
export function copyText(rows: readonly (ImportedRef & { line: number })[], ids: readonly string[]): string {
  let text = "";
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const metadata = r.metadata ? esc(jsonText(r.metadata)) : "\\N";
    const hash = r.payloadHash === undefined || r.payloadHash === null ? "\\N" : esc(r.payloadHash);
    const given = (r.metadata === undefined ? 0 : 1) | (r.payloadHash === undefined ? 0 : 2);
    text += `${r.line}\t${ids[i]!}\t${esc(r.connectionId)}\t${esc(r.entityType)}\t${esc(r.entityId)}\t`;
    text += `${esc(r.externalType)}\t${esc(r.externalId)}\t${metadata}\t${hash}\t${given}\n`;
  }
  return text;
}

/**
 * Opens a cursor over the staged rows that did not become references (their insert hit an
 * existing one), in file order: read a page at a time with fetchUnmerged, however many there are.
 */
export async function openUnmerged(db: Db): Promise<void> {
  const rows = staged(db)
    .selectFrom("ExternalReferenceStage as s")
    .selectAll("s")
    .where(({ not, exists, selectFrom, lit }) =>
      not(exists(selectFrom("ExternalReference as r").select(lit(1).as("one")).whereRef("r.id", "=", "s.id"))),
    )
    .orderBy("s.line");
  await sql`DECLARE ${sql.id(CURSOR)} NO SCROLL CURSOR FOR ${rows}`.execute(db);
}

export async function fetchUnmerged(db: Db, count: number): Promise<StageRow[]> {
  return (await sql<StageRow>`FETCH ${sql.lit(count)} FROM ${sql.id(CURSOR)}`.execute(db)).rows;
}

export async function closeUnmerged(db: Db): Promise<void> {
  await sql`CLOSE ${sql.id(CURSOR)}`.execute(db);
}
