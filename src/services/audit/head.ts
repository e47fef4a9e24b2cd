import { col } from "../../db/sql.js";
import type { JsonObject } from "../../types/common.js";
import { readIntegrity, type IntegrityKeys, type ServicesCtx } from "../integrity/root.js";
import { linkMatches, type ChainedFields } from "./chain.js";
import { headFilePath, readHeadFile, writeHeadFile, type AuditHead } from "./head-file.js";

// Moves the head kept outside the database forward to the newest keyed event. Only forward, only
// to an event whose MAC holds, and only while the event at the old head is still the one recorded:
// a log that was cut or rewritten keeps the old head, for `audit verify` to report.

let pending = false;

/** An event was appended inside a transaction still open: sync when the command ends. */
export function noteAppended(): void {
  pending = true;
}

export function headSyncPending(): boolean {
  return pending;
}

export type AuditRowFields = Record<string, unknown> & { id: string; seq: number | string; hash: string };

export function chainedFields(r: AuditRowFields): ChainedFields {
  return {
    id: r.id,
    seq: Number(r.seq),
    prevHash: (r.prevHash as string | null) ?? null,
    action: String(r.action),
    actor: String(r.actor),
    targetType: String(r.targetType),
    targetId: (r.targetId as string | null) ?? null,
    outcome: String(r.outcome),
    reason: (r.reason as string | null) ?? null,
    metadata: r.metadata === null || r.metadata === undefined ? null : col.json<JsonObject>(r.metadata),
    createdAt: col.date(r.createdAt).toISOString(),
  };
}

export const CHAIN_COLUMNS = `"id", "seq", "prevHash", "hash", "action", "actor", "targetType", "targetId", "outcome", "reason", "metadata", "createdAt"`;

/** `keys`: the integrity keys when the caller holds them already (recordAudit), else they are read. */
export async function syncAuditHead(ctx: ServicesCtx, keys?: IntegrityKeys): Promise<AuditHead | undefined> {
  pending = false;
  const path = headFilePath(ctx);
  if (!path) return undefined;
  const state = keys ? { kind: "open" as const, keys } : await readIntegrity(ctx);
  if (state.kind !== "open") return undefined;
  const last = await ctx.sql.get<AuditRowFields>(
    `SELECT ${CHAIN_COLUMNS} FROM "AuditEvent" WHERE "hash" LIKE 'k1:%' ORDER BY "seq" DESC LIMIT 1`,
  );
  if (!last || !linkMatches(chainedFields(last), last.hash, state.keys.audit)) return undefined;
  const head = { seq: Number(last.seq), hash: last.hash, id: last.id };
  const stored = readHeadFile(path);
  if (stored && stored.seq >= head.seq) return stored;
  if (stored) {
    const atOld = await ctx.sql.get<{ hash: string }>(`SELECT "hash" FROM "AuditEvent" WHERE "seq" = ?`, [stored.seq]);
    if (atOld?.hash !== stored.hash) return stored;
  }
  writeHeadFile(path, head);
  return head;
}
