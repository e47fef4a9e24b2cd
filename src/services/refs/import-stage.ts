import { jsonText, typed } from "../../db/kysely.js";
import { mergeStage } from "../../db/queries/external-reference/import.js";
import {
  clearStage,
  closeUnmerged,
  fetchUnmerged,
  openUnmerged,
  type StageRow,
} from "../../db/queries/external-reference/stage.js";
import type { SqlClient } from "../../db/sql.js";
import type { JsonObject, ValidationIssue } from "../../types/common.js";
import type { ServiceContext } from "../context.js";
import { writeRefAudit, type AuditDraft } from "./audit.js";
import type { BatchState } from "./import-batch.js";
import type { StagedBatch } from "./import-copy.js";
import { resolveConflicts } from "./import-existing.js";
import type { ImportRow } from "./import-rows.js";

// The import on PostgreSQL: validated rows stream into a staging table through COPY … FROM
// STDIN (import-copy.ts), and are merged into the references with INSERT … SELECT … ON CONFLICT
// DO NOTHING, in file order. The rows that hit an existing reference are read back a page at a
// time and take the same path as on SQLite: memory stays that of a few batches, whatever the
// file's size.

const PAGE = 1000;

/**
 * Merges what is staged: counts the inserted rows (or, for a reported batch, reports each), then
 * resolves the rows that hit an existing reference in file order, and empties the staging table.
 */
export async function mergeStaged(
  ctx: ServiceContext,
  tx: SqlClient,
  s: BatchState,
  staged: number,
  batch?: StagedBatch,
): Promise<void> {
  const db = typed(tx);
  const now = ctx.now();
  const inserted = await mergeStage(db, now, ctx.actor);
  const unmerged = new Set<number>();
  if (inserted < staged) {
    await openUnmerged(db);
    for (let page = await fetchUnmerged(db, PAGE); page.length > 0; page = await fetchUnmerged(db, PAGE)) {
      const rows = page.map(toImportRow);
      if (batch) for (const r of rows) unmerged.add(r.line);
      const audit: Array<AuditDraft & { connectionId: string }> = [];
      await resolveConflicts(ctx, tx, rows, s, audit);
      await writeRefAudit(tx, now, audit);
    }
    await closeUnmerged(db);
  }
  if (!batch) s.summary.inserted += inserted;
  else batch.rows.forEach((r, i) => unmerged.has(r.line) || s.outcome(r.line, r, "created", batch.ids[i]!, []));
  await clearStage(db);
}

/**
 * PostgreSQL cannot store the character U+0000 in text or jsonb, nor a lone surrogate (a \ud83d
 * escape with no pair) in jsonb: a row holding one is rejected by its line, rather than failing the
 * COPY and with it the transaction's every row (a lone surrogate failed the whole import, with no
 * line). The ids and types cannot hold control characters at all.
 */
export function unstorable(row: ImportRow): ValidationIssue | null {
  if (row.payloadHash?.includes("\u0000")) return { path: "payloadHash", message: NUL };
  if (!row.metadata) return null;
  // JSON text shows either as an escape (\u0000, \udXXX); only then is the record walked.
  const text = jsonText(row.metadata);
  if (text.includes("u0000") && holds(row.metadata, (s) => s.includes("\u0000"))) {
    return { path: "metadata", message: NUL };
  }
  if (/\\ud[89a-f]/i.test(text) && holds(row.metadata, (s) => LONE.test(s))) {
    return {
      path: "metadata",
      message: "holds a lone surrogate (an unpaired \\ud800-\\udfff), which PostgreSQL cannot store",
    };
  }
  return null;
}

const NUL = "holds the character U+0000, which PostgreSQL cannot store";
/** A surrogate code unit without its pair: with the u flag a pair is one code point, never Cs. */
const LONE = /\p{Cs}/u;
const holds = (v: unknown, bad: (s: string) => boolean): boolean =>
  typeof v === "string"
    ? bad(v)
    : v !== null && typeof v === "object" && Object.entries(v).some(([k, x]) => bad(k) || holds(x, bad));

function toImportRow(r: StageRow): ImportRow {
  return {
    line: r.line,
    connectionId: r.connectionId,
    entityType: r.entityType,
    entityId: r.entityId,
    externalType: r.externalType,
    externalId: r.externalId,
    metadata: r.given & 1 ? (r.metadata as JsonObject | null) : undefined,
    payloadHash: r.given & 2 ? r.payloadHash : undefined,
  };
}
