import type { SqlClient } from "../../db/sql.js";
import { IntgError } from "../../errors.js";
import type {
  BulkReferenceOperation,
  ExternalReferenceSyncOperation,
} from "../../types/integration/external-reference.types.js";
import type { ServiceContext } from "../context.js";
import { recordAudit } from "../audit/record.js";
import { resolveConnection } from "./connections.js";
import { type BatchState, writeBatch } from "./import-batch.js";
import { ImportStage, type StagedBatch } from "./import-copy.js";
import { mergeStaged } from "./import-stage.js";
import type { Outcome } from "./import-existing.js";
import type { Identity } from "./import-rows.js";
import type { RawRecord } from "./import-sources.js";

export interface ImportInput {
  source: string;
  /** Connection id or unique name for rows without a connectionId. */
  connection: string | null;
  mode: "insert" | "upsert";
  dryRun: boolean;
  atomic: boolean;
  batches: AsyncIterable<RawRecord[]>;
  /** Every rejected row, for --errors-out. */
  onRejected?(op: ExternalReferenceSyncOperation): void;
  /** What became of each row, a batch at a time (`--json` streams them); the fast path skips building them without it. */
  onRows?(ops: ExternalReferenceSyncOperation[]): Promise<void> | void;
  onBatch?(summary: BulkReferenceOperation): void;
  /** Aborted by SIGINT or SIGTERM: stop after the batch in hand. */
  signal?: AbortSignal;
}

// Rows per transaction when not --atomic: large enough that commits cost nothing measurable,
// small enough that an interrupted import keeps most of its work.
const ROWS_PER_TRANSACTION = 100_000;
const FIRST_ERRORS = 20;
const ROLLBACK = Symbol("rollback");

/**
 * Imports references batch by batch: each batch is validated, then written with one multi-row
 * INSERT … ON CONFLICT DO NOTHING; only the rows that hit an existing reference take the slow
 * path (compare, update or reject). With --atomic or --dry-run everything runs in one
 * transaction that is rolled back on any rejection (or always, for a dry run).
 */
const identity = (w: Identity): Identity => ({
  connectionId: w.connectionId,
  entityType: w.entityType,
  entityId: w.entityId,
  externalType: w.externalType,
  externalId: w.externalId,
});

export async function importReferences(ctx: ServiceContext, input: ImportInput): Promise<BulkReferenceOperation> {
  const defaultConnection = input.connection ? (await resolveConnection(ctx.sql, input.connection)).id : null;
  const summary: BulkReferenceOperation = {
    source: input.source,
    connectionId: defaultConnection,
    mode: input.mode,
    dryRun: input.dryRun,
    atomic: input.atomic,
    committed: false,
    interrupted: false,
    read: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    firstErrors: [],
  };
  const known = new Map<string, boolean>();
  const ops: ExternalReferenceSyncOperation[] = [];
  const outcome: Outcome = (line, who, action, referenceId, issues) => {
    summary[action === "created" ? "inserted" : action]++;
    const op =
      input.onRows || (action === "rejected" && input.onRejected)
        ? { action, referenceId, ...identity(who), issues, line }
        : undefined;
    if (action === "rejected") {
      if (summary.firstErrors.length < FIRST_ERRORS) summary.firstErrors.push({ line, issues });
      input.onRejected?.(op!);
    }
    if (op && input.onRows) ops.push(op);
  };
  const iterator = input.batches[Symbol.asyncIterator]();
  let finished = false;
  const batches = async (tx: SqlClient, state: BatchState) => {
    for (let rows = 0; rows < ROWS_PER_TRANSACTION || input.atomic || input.dryRun; ) {
      if (input.signal?.aborted) return void (finished = summary.interrupted = true);
      const next = await iterator.next();
      if (next.done) return void (finished = true);
      rows += next.value.length;
      await writeBatch(ctx, tx, next.value, state);
      if (input.onRows && ops.length) await input.onRows(ops.splice(0).sort((a, b) => a.line! - b.line!)); // conflicts are found after the rest
      input.onBatch?.(summary);
    }
  };
  // Each transaction's changes, in brief, in the tamper-evident audit log (the history of each
  // reference is in ExternalReferenceAudit); it commits, or rolls back, with them.
  const chunk = async (tx: SqlClient) => {
    const before = { inserted: summary.inserted, updated: summary.updated };
    // PostgreSQL: rows go in through COPY (import-copy.ts); what is still staged is merged before the end.
    const reportRows = Boolean(input.onRows);
    const state: BatchState = { mode: input.mode, reportRows, defaultConnection, known, outcome, summary, stage: null };
    const merge = (staged: number, batch?: StagedBatch) => mergeStaged(ctx, tx, state, staged, batch);
    const direct = {
      now: () => ctx.now(),
      actor: ctx.actor,
      inserted: (rows: number) => void (summary.inserted += rows),
    };
    const stage = (state.stage = tx.provider === "postgresql" ? new ImportStage(tx, merge, direct) : null);
    try {
      await batches(tx, state);
      await stage?.flush();
    } finally {
      await stage?.abort();
    }
    const inserted = summary.inserted - before.inserted;
    const updated = summary.updated - before.updated;
    if (input.dryRun || inserted + updated === 0) return;
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "reference.import",
        targetType: "reference",
        targetId: null,
        metadata: { source: input.source, connectionId: defaultConnection, mode: input.mode, inserted, updated },
      },
    );
  };
  if (input.atomic || input.dryRun) {
    try {
      await ctx.sql.transaction(async (tx) => {
        await chunk(tx);
        if (input.dryRun || summary.rejected > 0 || summary.interrupted) throw ROLLBACK;
      });
      summary.committed = true;
    } catch (error) {
      if (error !== ROLLBACK) throw error;
      // Rolled back: nothing was written, as the exit code says. A dry run counts what it would write.
      if (!input.dryRun) summary.inserted = summary.updated = 0;
    }
  } else {
    let written = 0; // by the transactions committed so far
    try {
      while (!finished) {
        const before = summary.inserted + summary.updated;
        await ctx.sql.transaction(chunk);
        written += summary.inserted + summary.updated - before;
      }
    } catch (error) {
      // A usage error says nothing was written (exit 2); past the first transaction that is untrue.
      if (!(error instanceof IntgError) || error.kind !== "usage" || written === 0) throw error;
      const message = `${error.message.replace(/;? nothing was (written|imported)\.?$/, ".")} ${written} row(s) were written before it, in earlier transactions.`;
      throw new IntgError(
        "IMPORT_PARTIAL",
        message,
        "failure",
        "Import with --atomic to write all of a file or none of it.",
        {
          cause: error,
        },
      );
    }
    summary.committed = true;
  }
  summary.firstErrors.sort((a, b) => a.line - b.line); // unparsable rows are reported as their batch ends
  return summary;
}
