import { nodeCrypto } from "../../lib/lazy-builtins.js";
import type { SqlClient } from "../../db/sql.js";
import { newId } from "../../lib/ids.js";
import type { ServiceContext } from "../context.js";
import type { JsonObject } from "../../types/common.js";

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

/** The fields an event's hash covers, in a fixed order, so `audit verify` recomputes it exactly. */
export interface ChainedFields {
  id: string;
  seq: number;
  prevHash: string | null;
  action: string;
  actor: string;
  targetType: string;
  targetId: string | null;
  outcome: string;
  reason: string | null;
  metadata: JsonObject | null;
  createdAt: string;
}

export function eventHash(e: ChainedFields): string {
  const canonical = JSON.stringify([e.id, e.seq, e.prevHash, e.action, e.actor, e.targetType, e.targetId, e.outcome, e.reason, sortKeys(e.metadata), e.createdAt]);
  return nodeCrypto().createHash("sha256").update(canonical).digest("hex");
}

// PostgreSQL's jsonb reorders object keys; hashing with sorted keys reads back the same anywhere.
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
}

// Any constant does; it names the one lock that orders appends to the chain on PostgreSQL.
const AUDIT_LOCK = 734_018_211;

/**
 * Appends one event to the tamper-evident audit log: it carries the previous event's hash, and its
 * own hash covers both. Runs in the caller's transaction when there is one, so the event lands
 * with the change it records or not at all. Appends are serialised: SQLite's write lock is taken
 * by BEGIN IMMEDIATE, PostgreSQL's by an advisory lock held to the end of the transaction.
 */
export async function recordAudit(ctx: Pick<ServiceContext, "sql" | "now" | "actor">, input: AuditInput): Promise<string> {
  return ctx.sql.transaction(async (tx) => {
    if (tx.provider === "postgresql") await tx.run(`SELECT pg_advisory_xact_lock(?)`, [AUDIT_LOCK]);
    const last = await lastEvent(tx);
    const event: ChainedFields = {
      id: newId("audit", ctx.now()),
      seq: (last?.seq ?? 0) + 1,
      prevHash: last?.hash ?? null,
      action: input.action,
      actor: input.actor ?? ctx.actor,
      targetType: input.targetType,
      targetId: input.targetId,
      outcome: input.outcome ?? "success",
      reason: input.reason ?? null,
      metadata: input.metadata ?? null,
      createdAt: ctx.now().toISOString(),
    };
    await tx.run(
      `INSERT INTO "AuditEvent" ("id","seq","prevHash","hash","action","actor","targetType","targetId","outcome","reason","metadata","createdAt") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
      [event.id, event.seq, event.prevHash, eventHash(event), event.action, event.actor, event.targetType, event.targetId, event.outcome, event.reason, event.metadata, new Date(event.createdAt)],
    );
    return event.id;
  });
}

async function lastEvent(tx: SqlClient): Promise<{ seq: number; hash: string } | undefined> {
  const row = await tx.get<{ seq: number | string; hash: string }>(`SELECT "seq", "hash" FROM "AuditEvent" ORDER BY "seq" DESC LIMIT 1`);
  return row && { seq: Number(row.seq), hash: row.hash };
}
