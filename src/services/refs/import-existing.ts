import type { SqlClient } from "../../db/sql.js";
import type { JsonValue, ValidationIssue } from "../../types/common.js";
import type { BulkReferenceOperation } from "../../types/integration/external-reference.types.js";
import type { ServiceContext } from "../context.js";
import { diffRef, type AuditDraft } from "./audit.js";
import type { ImportRow } from "./import-rows.js";
import { findRef, refByEntity, refByExternal } from "./rows.js";

/**
 * An imported row whose insert hit an existing reference. The same link again is unchanged, or
 * (--mode upsert) updated with the row's metadata and payload hash; anything else is a conflict
 * naming the reference that holds the record.
 */
export async function applyExisting(
  ctx: ServiceContext,
  tx: SqlClient,
  row: ImportRow,
  mode: "insert" | "upsert",
  summary: BulkReferenceOperation,
  reject: (line: number, issues: ValidationIssue[]) => void,
  audit: Array<AuditDraft & { connectionId: string }>,
): Promise<void> {
  const held = await refByExternal(tx, row.connectionId, row.externalType, row.externalId);
  if (!held || held.entityType !== row.entityType || held.entityId !== row.entityId) {
    const taken = held ?? (await refByEntity(tx, row.connectionId, row.entityType, row.entityId, row.externalType));
    const message = held
      ? `${row.externalType}:${row.externalId} is already linked to ${held.entityType}:${held.entityId} by ${held.id}`
      : taken
        ? `${row.entityType}:${row.entityId} is already linked to ${taken.externalType}:${taken.externalId} by ${taken.id}`
        : "conflicts with a reference written at the same time";
    return reject(row.line, [{ path: "", message }]);
  }
  const metadata = row.metadata === undefined ? held.metadata : row.metadata;
  const payloadHash = row.payloadHash === undefined ? held.payloadHash : row.payloadHash;
  if (sameJson(metadata, held.metadata) && payloadHash === held.payloadHash) return void summary.unchanged++;
  if (mode === "insert") return reject(row.line, [{ path: "", message: `${held.id} already links these records with other metadata or payloadHash; --mode upsert updates it` }]);
  const now = ctx.now();
  await tx.run(`UPDATE "ExternalReference" SET "metadata" = ?, "payloadHash" = ?, "lastModifiedAt" = ?, "updatedAt" = ? WHERE "id" = ?`, [metadata, payloadHash, now, now, held.id]);
  audit.push({ referenceId: held.id, connectionId: held.connectionId, action: "update", actor: ctx.actor, source: "import", changes: diffRef(held, await findRef(tx, held.id)) });
  summary.updated++;
}

/** PostgreSQL's jsonb reorders keys: compare with sorted keys. */
function sameJson(a: JsonValue | null, b: JsonValue | null): boolean {
  const canonical = (v: unknown): unknown => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v);
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
