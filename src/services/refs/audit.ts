import { col, type SqlClient } from "../../db/sql.js";
import { newId } from "../../lib/ids.js";
import type { JsonValue } from "../../types/common.js";
import type { ExternalReference, ReferenceAuditEntry } from "../../types/integration/external-reference.types.js";

export type RefChange = ReferenceAuditEntry["changes"][number];
export type AuditDraft = Omit<ReferenceAuditEntry, "id" | "createdAt">;

// The fields of a reference whose changes the history records.
const TRACKED = ["entityType", "entityId", "externalType", "externalId", "metadata", "payloadHash", "remoteDeleted"] as const;
type Tracked = Pick<ExternalReference, (typeof TRACKED)[number]>;

/** Field-by-field differences; a missing side (link, unlink) is null. */
export function diffRef(before: Tracked | null, after: Tracked | null): RefChange[] {
  const changes: RefChange[] = [];
  for (const field of TRACKED) {
    const from = (before?.[field] ?? null) as JsonValue | null;
    const to = (after?.[field] ?? null) as JsonValue | null;
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ field, from, to });
  }
  return changes;
}

// History ids increase within a millisecond too (ULID's monotonic mode): an import can link and
// then update one reference in the same millisecond, and the history is ordered by id.
const BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
let last = { ms: -1, id: "" };
function historyId(now: Date): string {
  const ms = now.getTime();
  if (ms !== last.ms) return (last = { ms, id: newId("audit", now) }).id;
  const chars = last.id.split("");
  for (let i = chars.length - 1; i > 4; i--) {
    const next = BASE32.indexOf(chars[i]!) + 1;
    chars[i] = BASE32[next % 32]!;
    if (next < 32) break;
  }
  return (last.id = chars.join(""));
}

const COLUMNS = `"id","referenceId","connectionId","action","actor","source","changes","createdAt"`;

/**
 * Appends history entries in the caller's transaction, many rows per statement: an import
 * records one entry per reference it changes.
 */
export async function writeRefAudit(tx: SqlClient, now: Date, entries: Array<AuditDraft & { connectionId: string }>): Promise<void> {
  const CHUNK = 500; // 8 parameters a row, well under both databases' limits
  for (let i = 0; i < entries.length; i += CHUNK) {
    const chunk = entries.slice(i, i + CHUNK);
    const params: unknown[] = [];
    for (const e of chunk) params.push(historyId(now), e.referenceId, e.connectionId, e.action, e.actor, e.source, JSON.stringify(e.changes), now);
    await tx.run(`INSERT INTO "ExternalReferenceAudit" (${COLUMNS}) VALUES ${chunk.map(() => "(?,?,?,?,?,?,?,?)").join(",")}`, params);
  }
}

export async function referenceHistory(sql: SqlClient, referenceId: string): Promise<ReferenceAuditEntry[]> {
  const rows = await sql.all<Record<string, unknown>>(`SELECT ${COLUMNS} FROM "ExternalReferenceAudit" WHERE "referenceId" = ? ORDER BY "id"`, [referenceId]);
  return rows.map((r) => ({
    id: r.id as string,
    referenceId: r.referenceId as string,
    action: r.action as ReferenceAuditEntry["action"],
    actor: r.actor as string,
    source: r.source as ReferenceAuditEntry["source"],
    changes: col.json<RefChange[]>(r.changes),
    createdAt: col.iso(r.createdAt)!,
  }));
}
