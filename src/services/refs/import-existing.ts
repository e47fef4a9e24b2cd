import { jsonText, typed } from "../../db/kysely.js";
import { referencesByExternalIds } from "../../db/queries/external-reference/read.js";
import { updateReference } from "../../db/queries/external-reference/write.js";
import type { SqlClient } from "../../db/sql.js";
import type { JsonValue, ValidationIssue } from "../../types/common.js";
import type {
  ExternalReference,
  ExternalReferenceSyncOperation,
} from "../../types/integration/external-reference.types.js";
import type { ServiceContext } from "../context.js";
import { diffRef, type AuditDraft } from "./audit.js";
import type { Identity, ImportRow } from "./import-rows.js";
import { findRef, refByEntity, toReference } from "./rows.js";

/** What became of one imported row; the import counts it and reports it. */
export type Outcome = (
  line: number,
  who: Identity,
  action: Exclude<ExternalReferenceSyncOperation["action"], "remote_deleted">,
  referenceId: string | null,
  issues: ValidationIssue[],
) => void;

/**
 * An imported row whose insert hit an existing reference. The same link again is unchanged, or
 * (--mode upsert) updated with the row's metadata and payload hash; anything else is a conflict
 * naming the reference that holds the record.
 */
export async function applyExisting(
  ctx: ServiceContext,
  tx: SqlClient,
  row: ImportRow,
  held: ExternalReference | undefined,
  mode: "insert" | "upsert",
  outcome: Outcome,
  audit: Array<AuditDraft & { connectionId: string }>,
): Promise<ExternalReference | undefined> {
  const reject = (issues: ValidationIssue[]) => outcome(row.line, row, "rejected", null, issues);
  if (!held || held.entityType !== row.entityType || held.entityId !== row.entityId) {
    const taken = held ?? (await refByEntity(tx, row.connectionId, row.entityType, row.entityId, row.externalType));
    const message = held
      ? `${row.externalType}:${row.externalId} is already linked to ${held.entityType}:${held.entityId} by ${held.id}`
      : taken
        ? `${row.entityType}:${row.entityId} is already linked to ${taken.externalType}:${taken.externalId} by ${taken.id}`
        : "conflicts with a reference written at the same time";
    return void reject([{ path: "", message }]);
  }
  const metadata = row.metadata === undefined ? held.metadata : row.metadata;
  const payloadHash = row.payloadHash === undefined ? held.payloadHash : row.payloadHash;
  if (sameJson(metadata, held.metadata) && payloadHash === held.payloadHash)
    return void outcome(row.line, row, "unchanged", held.id, []);
  if (mode === "insert")
    return void reject([
      {
        path: "",
        message: `${held.id} already links these records with other metadata or payloadHash; --mode upsert updates it`,
      },
    ]);
  const now = ctx.now();
  const stored = metadata === null ? null : jsonText(metadata);
  await updateReference(typed(tx), held.id, { metadata: stored, payloadHash, lastModifiedAt: now, updatedAt: now });
  const updated = await findRef(tx, held.id);
  audit.push({
    referenceId: held.id,
    connectionId: held.connectionId,
    action: "update",
    actor: ctx.actor,
    source: "import",
    changes: diffRef(held, updated),
  });
  outcome(row.line, row, "updated", held.id, []);
  return updated;
}

/**
 * Rows whose insert hit an existing reference, in file order: each compared with the reference
 * holding its external record, then unchanged, updated or rejected (see applyExisting).
 */
export async function resolveConflicts(
  ctx: ServiceContext,
  tx: SqlClient,
  conflicted: ImportRow[],
  s: { mode: "insert" | "upsert"; outcome: Outcome },
  audit: Array<AuditDraft & { connectionId: string }>,
): Promise<void> {
  const held = await heldByExternal(tx, conflicted);
  // A file may update one reference twice: the second row compares with the first's result.
  const updated = new Map<string, ExternalReference>();
  for (const row of conflicted) {
    const key = `${row.connectionId}\u0000${row.externalType}\u0000${row.externalId}`;
    const after = await applyExisting(ctx, tx, row, updated.get(key) ?? held.get(row), s.mode, s.outcome, audit);
    if (after) updated.set(key, after);
  }
}

/**
 * The references holding the external records of rows whose insert conflicted, found with one
 * query per connection and external type rather than one per row: re-importing a file makes every
 * row such a row.
 */
async function heldByExternal(tx: SqlClient, rows: ImportRow[]): Promise<Map<ImportRow, ExternalReference>> {
  const groups = new Map<string, ImportRow[]>();
  for (const r of rows) {
    const group = `${r.connectionId}\u0000${r.externalType}`;
    const list = groups.get(group);
    if (list) list.push(r);
    else groups.set(group, [r]);
  }
  const held = new Map<ImportRow, ExternalReference>();
  for (const group of groups.values()) {
    const ids = [...new Set(group.map((r) => r.externalId))];
    const found = await referencesByExternalIds(typed(tx), group[0]!.connectionId, group[0]!.externalType, ids);
    const byId = new Map(found.map((f) => [f.externalId, toReference(f)]));
    for (const r of group) {
      const ref = byId.get(r.externalId);
      if (ref) held.set(r, ref);
    }
  }
  return held;
}

/** PostgreSQL's jsonb reorders keys: compare with sorted keys. */
function sameJson(a: JsonValue | null, b: JsonValue | null): boolean {
  const canonical = (v: unknown): unknown =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        )
      : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
