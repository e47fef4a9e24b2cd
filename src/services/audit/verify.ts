import { col } from "../../db/sql.js";
import type { JsonObject } from "../../types/common.js";
import type { ServiceContext } from "../context.js";
import { AUDIT_COLUMNS, type AuditRow } from "./list.js";
import { eventHash } from "./record.js";

export interface AuditChainReport {
  ok: boolean;
  /** Events checked, in order. */
  checked: number;
  /** The first event that does not fit the chain, and why; null when the chain is whole. */
  firstBad: { id: string | null; seq: number; reason: string } | null;
}

const PAGE = 1000;

/**
 * Walks the log in order and recomputes every hash: an edited event no longer matches its hash,
 * a deleted one leaves a gap in `seq` and a broken link, and an inserted one a duplicate link.
 */
export async function verifyAuditChain(ctx: ServiceContext): Promise<AuditChainReport> {
  let expectedSeq = 1;
  let prevHash: string | null = null;
  let checked = 0;
  for (;;) {
    const rows = await ctx.sql.all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM "AuditEvent" WHERE "seq" >= ? ORDER BY "seq" LIMIT ?`, [expectedSeq, PAGE]);
    for (const r of rows) {
      const seq = Number(r.seq);
      const bad = (reason: string): AuditChainReport => ({ ok: false, checked, firstBad: { id: r.id, seq, reason } });
      if (seq !== expectedSeq) return { ok: false, checked, firstBad: { id: null, seq: expectedSeq, reason: `event #${expectedSeq} is missing (the next is #${seq})` } };
      if ((r.prevHash ?? null) !== prevHash) return bad("its link to the previous event does not match");
      const recomputed = eventHash({
        id: r.id, seq, prevHash, action: String(r.action), actor: String(r.actor), targetType: String(r.targetType),
        targetId: (r.targetId as string | null) ?? null, outcome: String(r.outcome), reason: (r.reason as string | null) ?? null,
        metadata: r.metadata === null || r.metadata === undefined ? null : col.json<JsonObject>(r.metadata), createdAt: col.date(r.createdAt).toISOString(),
      });
      if (recomputed !== r.hash) return bad("its content does not match its hash (edited)");
      prevHash = r.hash;
      expectedSeq++;
      checked++;
    }
    if (rows.length < PAGE) return { ok: true, checked, firstBad: null };
  }
}
