import { jsonText, typed } from "../../db/kysely.js";
import { insertAuditEvent, lastAuditEvent, lockAuditChain } from "../../db/queries/audit-event.js";
import type { SqlClient } from "../../db/sql.js";
import { nodeCrypto } from "../../lib/lazy-builtins.js";
import type { JsonObject } from "../../types/common.js";

// The audit chain's links. Each event's link covers its content and the previous event's link, in
// `seq` order. Two forms:
//
//   k1:<hex HMAC-SHA256>   keyed: under a key derived from the integrity root (services/integrity),
//                          which only a holder of the master key can open, so nobody else can
//                          recompute it after an edit
//   <hex SHA-256>          unkeyed: events written before the chain was keyed, or by a process
//                          that holds no master key; a keyed event after them covers them too
//
// The canonical text is the same for both, so `audit verify` recomputes either exactly.

export const KEYED_PREFIX = "k1:";

/** The fields an event's link covers, in a fixed order. */
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

function canonical(e: ChainedFields): string {
  return JSON.stringify([
    e.id,
    e.seq,
    e.prevHash,
    e.action,
    e.actor,
    e.targetType,
    e.targetId,
    e.outcome,
    e.reason,
    sortKeys(e.metadata),
    e.createdAt,
  ]);
}

/** The unkeyed link (the chain's original form). */
export function eventHash(e: ChainedFields): string {
  return nodeCrypto().createHash("sha256").update(canonical(e)).digest("hex");
}

/** The keyed link under the audit key. */
export function eventMac(e: ChainedFields, auditKey: Buffer): string {
  return KEYED_PREFIX + nodeCrypto().createHmac("sha256", auditKey).update(canonical(e)).digest("hex");
}

export const isKeyed = (hash: string): boolean => hash.startsWith(KEYED_PREFIX);

/** Whether `hash` is the right link for `e`: constant-time for keyed links. */
export function linkMatches(e: ChainedFields, hash: string, auditKey: Buffer | null): boolean {
  if (!isKeyed(hash)) return eventHash(e) === hash;
  if (!auditKey) return false;
  const want = Buffer.from(eventMac(e, auditKey));
  const got = Buffer.from(hash);
  return want.length === got.length && nodeCrypto().timingSafeEqual(want, got);
}

// PostgreSQL's jsonb reorders object keys; hashing with sorted keys reads back the same anywhere.
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((k) => [k, sortKeys(obj[k])]),
  );
}

export async function lastEvent(tx: SqlClient): Promise<{ seq: number; hash: string } | undefined> {
  return lastAuditEvent(typed(tx));
}

/** Appends an event after `last`, linked keyed when a key is given. The caller holds the append lock. */
export async function appendEvent(
  tx: SqlClient,
  e: Omit<ChainedFields, "seq" | "prevHash">,
  auditKey: Buffer | null,
): Promise<ChainedFields & { hash: string }> {
  const last = await lastEvent(tx);
  const event: ChainedFields = { ...e, seq: (last?.seq ?? 0) + 1, prevHash: last?.hash ?? null };
  const hash = auditKey ? eventMac(event, auditKey) : eventHash(event);
  await insertAuditEvent(typed(tx), {
    ...event,
    hash,
    metadata: event.metadata === null ? null : jsonText(event.metadata),
    createdAt: new Date(event.createdAt),
  });
  return { ...event, hash };
}

/** Serialises appends: SQLite's write lock is already held (BEGIN IMMEDIATE); PostgreSQL takes an advisory lock. */
export async function lockChain(tx: SqlClient): Promise<void> {
  if (tx.provider === "postgresql") await lockAuditChain(typed(tx));
}
