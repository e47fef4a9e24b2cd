import { sqliteDate, type SqlClient } from "../../db/sql.js";
import { sequentialIds } from "./sequential-ids.js";
import type { BulkReferenceOperation, ExternalReference, ExternalReferenceSyncOperation } from "../../types/integration/external-reference.types.js";
import type { ServiceContext } from "../context.js";
import { recordAudit } from "../audit/record.js";
import { writeRefAudit, type AuditDraft } from "./audit.js";
import { resolveConnection } from "./connections.js";
import { checkRecord, rawIdentity, type Identity, type ImportRow } from "./import-rows.js";
import type { RawRecord } from "./import-sources.js";
import { applyExisting, heldByExternal, type Outcome } from "./import-existing.js";

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
const INSERT_COLUMNS = `"id","connectionId","entityType","entityId","externalType","externalId","metadata","payloadHash","firstSeenAt","lastModifiedAt","remoteDeleted","linkedBy","linkedVia","createdAt","updatedAt"`;

/**
 * Imports references batch by batch: each batch is validated, then written with one multi-row
 * INSERT … ON CONFLICT DO NOTHING; only the rows that hit an existing reference take the slow
 * path (compare, update or reject). With --atomic or --dry-run everything runs in one
 * transaction that is rolled back on any rejection (or always, for a dry run).
 */
export async function importReferences(ctx: ServiceContext, input: ImportInput): Promise<BulkReferenceOperation> {
  const defaultConnection = input.connection ? (await resolveConnection(ctx.sql, input.connection)).id : null;
  const summary: BulkReferenceOperation = { source: input.source, connectionId: defaultConnection, mode: input.mode, dryRun: input.dryRun, atomic: input.atomic, committed: false, interrupted: false, read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, firstErrors: [] };
  const known = new Map<string, boolean>();
  const ops: ExternalReferenceSyncOperation[] = [];
  const outcome: Outcome = (line, who, action, referenceId, issues) => {
    summary[action === "created" ? "inserted" : action]++;
    const op = input.onRows || (action === "rejected" && input.onRejected) ? { action, referenceId, ...identity(who), issues, line } : undefined;
    if (action === "rejected") {
      if (summary.firstErrors.length < FIRST_ERRORS) summary.firstErrors.push({ line, issues });
      input.onRejected?.(op!);
    }
    if (op && input.onRows) ops.push(op);
  };
  const iterator = input.batches[Symbol.asyncIterator]();
  let finished = false;
  const batches = async (tx: SqlClient) => {
    for (let rows = 0; rows < ROWS_PER_TRANSACTION || input.atomic || input.dryRun; ) {
      if (input.signal?.aborted) return void (finished = summary.interrupted = true);
      const next = await iterator.next();
      if (next.done) return void (finished = true);
      rows += next.value.length;
      await writeBatch(ctx, tx, next.value, { ...input, defaultConnection, known, outcome, summary });
      if (input.onRows && ops.length) await input.onRows(ops.splice(0).sort((a, b) => a.line! - b.line!)); // conflicts are found after the rest
      input.onBatch?.(summary);
    }
  };
  // Each transaction's changes, in brief, in the tamper-evident audit log (the history of each
  // reference is in ExternalReferenceAudit); it commits, or rolls back, with them.
  const chunk = async (tx: SqlClient) => {
    const before = { inserted: summary.inserted, updated: summary.updated };
    await batches(tx);
    const inserted = summary.inserted - before.inserted;
    const updated = summary.updated - before.updated;
    if (input.dryRun || inserted + updated === 0) return;
    await recordAudit({ ...ctx, sql: tx }, { action: "reference.import", targetType: "reference", targetId: null, metadata: { source: input.source, connectionId: defaultConnection, mode: input.mode, inserted, updated } });
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
    }
  } else {
    while (!finished) await ctx.sql.transaction(chunk);
    summary.committed = true;
  }
  summary.firstErrors.sort((a, b) => a.line - b.line); // unparsable rows are reported as their batch ends
  return summary;
}

interface BatchState extends ImportInput {
  defaultConnection: string | null;
  known: Map<string, boolean>;
  outcome: Outcome;
  summary: BulkReferenceOperation;
}

const identity = (w: Identity): Identity => ({ connectionId: w.connectionId, entityType: w.entityType, entityId: w.entityId, externalType: w.externalType, externalId: w.externalId });

async function writeBatch(ctx: ServiceContext, tx: SqlClient, raws: RawRecord[], s: BatchState): Promise<void> {
  s.summary.read += raws.length;
  const checked: ImportRow[] = [];
  for (const raw of raws) {
    const c = checkRecord(raw, s.defaultConnection);
    if (c.ok) checked.push(c.row);
    else s.outcome(c.line, rawIdentity(raw, s.defaultConnection), "rejected", null, c.issues);
  }
  await learnConnections(tx, checked, s.known);
  const rows = checked.filter((r) => s.known.get(r.connectionId) || void s.outcome(r.line, r, "rejected", null, [{ path: "connectionId", message: `${r.connectionId}: no such connection` }]));
  if (rows.length === 0) return;

  const now = ctx.now();
  const ids = sequentialIds("reference", now, rows.length);
  const returned = await tx.rows(insertSql(tx.provider, rows.length), insertParams(tx.provider, rows, ids, now, ctx.actor));
  // New references need no history row: their link entry is read from linkedBy and linkedVia.
  const audit: Array<AuditDraft & { connectionId: string }> = [];
  const inserted = returned.length === rows.length ? null : new Set(returned.map((r) => r[0] as string));
  if (s.onRows) rows.forEach((r, i) => (!inserted || inserted.has(ids[i]!)) && s.outcome(r.line, r, "created", ids[i]!, []));
  else s.summary.inserted += returned.length; // the fast path: no object per row
  if (inserted) {
    const conflicted = rows.filter((_, i) => !inserted.has(ids[i]!));
    const held = await heldByExternal(tx, conflicted);
    // A file may update one reference twice: the second row compares with the first's result.
    const updated = new Map<string, ExternalReference>();
    for (const row of conflicted) {
      const key = `${row.connectionId}\u0000${row.externalType}\u0000${row.externalId}`;
      const after = await applyExisting(ctx, tx, row, updated.get(key) ?? held.get(row), s.mode, s.outcome, audit);
      if (after) updated.set(key, after);
    }
  }
  await writeRefAudit(tx, now, audit);
}

// The times and the actor are the same for every row: PostgreSQL binds them once ($1, $2) and
// pg encodes a third fewer parameters; SQLite binds them per row, where binding costs little.
const PER_ROW = ["id", "connectionId", "entityType", "entityId", "externalType", "externalId", "metadata", "payloadHash"] as const;
function insertSql(provider: SqlClient["provider"], n: number): string {
  let values: string;
  if (provider === "sqlite") values = new Array(n).fill("(?,?,?,?,?,?,?,?,?,?,false,?,'import',?,?)").join(",");
  else {
    const rows: string[] = [];
    for (let i = 0, p = 3; i < n; i++, p += PER_ROW.length) rows.push(`($${p},$${p + 1},$${p + 2},$${p + 3},$${p + 4},$${p + 5},$${p + 6},$${p + 7},$1,$1,false,$2,'import',$1,$1)`);
    values = rows.join(",");
  }
  return `INSERT INTO "ExternalReference" (${INSERT_COLUMNS}) VALUES ${values} ON CONFLICT DO NOTHING RETURNING "id"`;
}

function insertParams(provider: SqlClient["provider"], rows: ImportRow[], ids: string[], now: Date, actor: string): unknown[] {
  const sqlite = provider === "sqlite";
  const at = sqlite ? sqliteDate(now) : now.toISOString(); // formatted once, not per row
  const params: unknown[] = sqlite ? [] : [at, actor];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    params.push(ids[i], r.connectionId, r.entityType, r.entityId, r.externalType, r.externalId, r.metadata ? JSON.stringify(r.metadata) : null, r.payloadHash ?? null);
    if (sqlite) params.push(at, at, actor, at, at);
  }
  return params;
}

/** Which connection ids exist; asked once per id (an import names a handful). */
async function learnConnections(tx: SqlClient, rows: ImportRow[], known: Map<string, boolean>): Promise<void> {
  const unknown = [...new Set(rows.map((r) => r.connectionId).filter((id) => !known.has(id)))];
  if (unknown.length === 0) return;
  const found = await tx.all<{ id: string }>(`SELECT "id" FROM "IntegrationConnection" WHERE "id" IN (${unknown.map(() => "?").join(",")})`, unknown);
  const ids = new Set(found.map((f) => f.id));
  if (known.size > 10_000) known.clear(); // a file of random ids must not grow this without bound
  for (const id of unknown) known.set(id, ids.has(id));
}
