import { IntgError } from "../../errors.js";
import { newId } from "../../lib/ids.js";
import type { JsonObject } from "../../types/common.js";
import type { ServiceContext } from "../context.js";
import { integrityKeys, ringIfAny, type IntegrityKeys, type ServicesCtx } from "../integrity/root.js";
import { appendEvent, lockChain } from "./chain.js";
import { syncAuditHead } from "./head.js";
import { noteAppended } from "./head-pending.js";

export { eventHash, type ChainedFields } from "./chain.js";

export interface AuditInput {
  action: string;
  targetType: string;
  targetId: string | null;
  outcome?: "success" | "failure";
  reason?: string | null;
  metadata?: JsonObject | null;
  /** Defaults to the context's actor; the worker's own decisions pass "system". */
  actor?: string;
}

// A process whose master key cannot open the integrity root (a wrong INTG_MASTER_KEY, whose
// failure is being audited) links its event unkeyed rather than lose it.
async function auditKeys(ctx: ServicesCtx): Promise<IntegrityKeys | null> {
  const ring = await ringIfAny(ctx, true);
  if (!ring) return null;
  try {
    return await integrityKeys(ctx, ring);
  } catch (error) {
    if (error instanceof IntgError && UNOPENED.has(error.code)) return null;
    throw error;
  }
}
const UNOPENED = new Set(["MASTER_KEY_UNAVAILABLE", "CIPHERTEXT_INVALID", "MASTER_KEY_MISMATCH"]);

/**
 * Appends one event to the tamper-evident audit log, linked to the previous one under the audit
 * key (chain.ts). Runs in the caller's transaction when there is one, so the event lands with the
 * change it records or not at all. Appends are serialised: SQLite's write lock is taken by BEGIN
 * IMMEDIATE, PostgreSQL's by an advisory lock held to the end of the transaction.
 *
 * Without a master key at hand (PostgreSQL without INTG_MASTER_KEY, say, verifying API keys) the
 * event is linked unkeyed; the next keyed event covers it.
 */
export async function recordAudit(ctx: ServicesCtx | ServiceContext, input: AuditInput): Promise<string> {
  const outer = ctx.sql.inTransaction === true;
  let keys: IntegrityKeys | null = null;
  const event = await ctx.sql.transaction(async (tx) => {
    await lockChain(tx);
    const c = { ...ctx, sql: tx };
    keys = await auditKeys(c);
    return appendEvent(
      tx,
      {
        id: newId("audit", ctx.now()),
        action: input.action,
        actor: input.actor ?? ctx.actor,
        targetType: input.targetType,
        targetId: input.targetId,
        outcome: input.outcome ?? "success",
        reason: input.reason ?? null,
        metadata: input.metadata ?? null,
        createdAt: ctx.now().toISOString(),
      },
      keys?.audit ?? null,
    );
  });
  // Committed now unless the caller's transaction is still open: then the command's end syncs it.
  if (outer) noteAppended();
  // An unkeyed event moves no head: only keyed events are anchored.
  else if (keys) await syncAuditHead(ctx, keys).catch(() => noteAppended());
  return event.id;
}
