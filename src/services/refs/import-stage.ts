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
 * PostgreSQL cannot store the character U+0000 in text or jsonb: a row holding one is rejected by
 * its line, rather than failing the COPY and with it the transaction's every row. (The ids and
 * types cannot hold control characters at all.)
 */
export function unstorable(row: ImportRow): ValidationIssue | null {
  if (row.payloadHash?.includes("\u0000")) return { path: "payloadHash", message: NUL };
  // JSON text shows the character as \u0000; only then is the record walked.
  if (row.metadata && jsonText(row.metadata).includes("u0000") && holdsNul(row.metadata)) {
    return { path: "metadata", message: NUL };
  }
  return null;
}

const NUL = "holds the character U+0000, which PostgreSQL cannot store";
const holdsNul = (v: unknown): boolean =>
  typeof v === "string"
    ? v.includes("\u0000")
    : v !== null && typeof v === "object" && Object.entries(v).some(([k, x]) => k.includes("\u0000") || holdsNul(x));

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
