import { sqliteDate, type SqlClient } from "../../db/sql.js";
import type { BulkReferenceOperation, ExternalReference } from "../../types/integration/external-reference.types.js";
import type { ServiceContext } from "../context.js";
import { writeRefAudit, type AuditDraft } from "./audit.js";
import { applyExisting, heldByExternal, type Outcome } from "./import-existing.js";
import { checkRecord, rawIdentity, type ImportRow } from "./import-rows.js";
import type { RawRecord } from "./import-sources.js";
import { sequentialIds } from "./sequential-ids.js";

// One batch of an import: validated, then written with one multi-row INSERT … ON CONFLICT DO
// NOTHING; only the rows that hit an existing reference take the slow path.

const INSERT_COLUMNS = `"id","connectionId","entityType","entityId","externalType","externalId","metadata","payloadHash","firstSeenAt","lastModifiedAt","remoteDeleted","linkedBy","linkedVia","createdAt","updatedAt"`;

export interface BatchState {
  mode: "insert" | "upsert";
  /** Whether each row's outcome is reported (--json); without, inserts are only counted. */
  reportRows: boolean;
  defaultConnection: string | null;
  known: Map<string, boolean>;
  outcome: Outcome;
  summary: BulkReferenceOperation;
}

export async function writeBatch(ctx: ServiceContext, tx: SqlClient, raws: RawRecord[], s: BatchState): Promise<void> {
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
  if (s.reportRows) rows.forEach((r, i) => (!inserted || inserted.has(ids[i]!)) && s.outcome(r.line, r, "created", ids[i]!, []));
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
