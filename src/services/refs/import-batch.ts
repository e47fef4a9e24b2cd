import { typed } from "../../db/kysely.js";
import { existingReferenceIds, insertImported } from "../../db/queries/external-reference/import.js";
import { existingConnectionIds } from "../../db/queries/integration-connection.js";
import type { SqlClient } from "../../db/sql.js";
import type { BulkReferenceOperation } from "../../types/integration/external-reference.types.js";
import type { ServiceContext } from "../context.js";
import { writeRefAudit, type AuditDraft } from "./audit.js";
import { resolveConflicts, type Outcome } from "./import-existing.js";
import type { ImportStage } from "./import-copy.js";
import { unstorable } from "./import-stage.js";
import { checkRecord, rawIdentity, type ImportRow } from "./import-rows.js";
import type { RawRecord } from "./import-sources.js";
import { sequentialIds } from "./sequential-ids.js";

// One batch of an import: validated, then written with multi-row INSERT … ON CONFLICT DO NOTHING
// statements (on PostgreSQL, streamed into a staging table: import-stage.ts); only the rows that
// hit an existing reference take the slow path.

export interface BatchState {
  mode: "insert" | "upsert";
  /** Whether each row's outcome is reported (--json); without, inserts are only counted. */
  reportRows: boolean;
  defaultConnection: string | null;
  known: Map<string, boolean>;
  outcome: Outcome;
  summary: BulkReferenceOperation;
  /** PostgreSQL: the transaction's COPY into the staging table (flushed per batch when reporting rows). */
  stage: ImportStage | null;
}

export async function writeBatch(ctx: ServiceContext, tx: SqlClient, raws: RawRecord[], s: BatchState): Promise<void> {
  s.summary.read += raws.length;
  const checked: ImportRow[] = [];
  for (const raw of raws) {
    const c = checkRecord(raw, s.defaultConnection);
    if (c.ok) checked.push(c.row);
    else s.outcome(c.line, rawIdentity(raw, s.defaultConnection), "rejected", null, c.issues);
  }
  await learnConnections(tx, checked, s);
  const rows = checked.filter((r) => {
    const noConnection = { path: "connectionId", message: `${r.connectionId}: no such connection` };
    const issue = !s.known.get(r.connectionId) ? noConnection : s.stage && unstorable(r);
    return !issue || void s.outcome(r.line, r, "rejected", null, [issue]);
  });
  if (rows.length === 0) return;

  const now = ctx.now();
  const ids = sequentialIds("reference", now, rows.length);
  if (s.stage) {
    await s.stage.write(rows, ids, !s.reportRows);
    if (s.reportRows) await s.stage.flush({ rows, ids }); // each row's outcome, a batch at a time
    return;
  }
  const db = typed(tx);
  const count = await insertImported(db, rows, ids, now, ctx.actor);
  // New references need no history row: their link entry is read from linkedBy and linkedVia.
  const audit: Array<AuditDraft & { connectionId: string }> = [];
  const inserted = count === rows.length ? null : await existingReferenceIds(db, ids);
  if (s.reportRows)
    rows.forEach((r, i) => (!inserted || inserted.has(ids[i]!)) && s.outcome(r.line, r, "created", ids[i]!, []));
  else s.summary.inserted += count; // the fast path: no object per row
  if (inserted)
    await resolveConflicts(
      ctx,
      tx,
      rows.filter((_, i) => !inserted.has(ids[i]!)),
      s,
      audit,
    );
  await writeRefAudit(tx, now, audit);
}

/** Which connection ids exist; asked once per id (an import names a handful). */
async function learnConnections(tx: SqlClient, rows: ImportRow[], s: BatchState): Promise<void> {
  const { known } = s;
  const unknown = [...new Set(rows.map((r) => r.connectionId).filter((id) => !known.has(id)))];
  if (unknown.length === 0) return;
  await s.stage?.pause(); // the connection runs nothing else during a COPY
  const ids = new Set(await existingConnectionIds(typed(tx), unknown));
  if (known.size > 10_000) known.clear(); // a file of random ids must not grow this without bound
  for (const id of unknown) known.set(id, ids.has(id));
}
