import { typed } from "../../db/kysely.js";
import { type AuditRow, auditHashAt, lastKeyedAuditEvent } from "../../db/queries/audit-event.js";
import type { JsonObject } from "../../types/common.js";
import { readIntegrity, type IntegrityKeys, type ServicesCtx } from "../integrity/root.js";
import { linkMatches, type ChainedFields } from "./chain.js";
import { headFilePath, readHeadFile, writeHeadFile, type AuditHead } from "./head-file.js";
import { clearHeadSyncPending } from "./head-pending.js";

// Moves the head kept outside the database forward to the newest keyed event. Only forward, only
// to an event whose MAC holds, and only while the event at the old head is still the one recorded:
// a log that was cut or rewritten keeps the old head, for `audit verify` to report.

export function chainedFields(r: AuditRow): ChainedFields {
  return {
    id: r.id,
    seq: r.seq,
    prevHash: r.prevHash,
    action: r.action,
    actor: r.actor,
    targetType: r.targetType,
    targetId: r.targetId,
    outcome: r.outcome,
    reason: r.reason,
    metadata: (r.metadata ?? null) as JsonObject | null,
    createdAt: r.createdAt.toISOString(),
  };
}

/** `keys`: the integrity keys when the caller holds them already (recordAudit), else they are read. */
export async function syncAuditHead(ctx: ServicesCtx, keys?: IntegrityKeys): Promise<AuditHead | undefined> {
  clearHeadSyncPending();
  const path = headFilePath(ctx);
  if (!path) return undefined;
  const state = keys ? { kind: "open" as const, keys } : await readIntegrity(ctx);
  if (state.kind !== "open") return undefined;
  const db = typed(ctx.sql);
  const last = await lastKeyedAuditEvent(db);
  if (!last || !linkMatches(chainedFields(last), last.hash, state.keys.audit)) return undefined;
  const head = { seq: last.seq, hash: last.hash, id: last.id };
  const stored = readHeadFile(path);
  if (stored && stored.seq >= head.seq) return stored;
  if (stored) {
    if ((await auditHashAt(db, stored.seq)) !== stored.hash) return stored;
  }
  writeHeadFile(path, head);
  return head;
}
