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
    for (const e of chunk) params.push(newId("audit", now), e.referenceId, e.connectionId, e.action, e.actor, e.source, JSON.stringify(e.changes), now);
    await tx.run(`INSERT INTO "ExternalReferenceAudit" (${COLUMNS}) VALUES ${chunk.map(() => "(?,?,?,?,?,?,?,?)").join(",")}`, params);
  }
}

export async function referenceHistory(sql: SqlClient, referenceId: string): Promise<ReferenceAuditEntry[]> {
  const rows = await sql.all<Record<string, unknown>>(`SELECT ${COLUMNS} FROM "ExternalReferenceAudit" WHERE "referenceId" = ? ORDER BY "createdAt", "id"`, [referenceId]);
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
