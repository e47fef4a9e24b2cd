import { jsonText, typed } from "../../db/kysely.js";
import { referenceWithLinkById } from "../../db/queries/external-reference/read.js";
import { insertReferenceAudit, referenceAuditRows } from "../../db/queries/external-reference-audit.js";
import type { SqlClient } from "../../db/sql.js";
import type { JsonValue } from "../../types/common.js";
import type { ExternalReference, ReferenceAuditEntry } from "../../types/integration/external-reference.types.js";
import { toReference } from "./rows.js";
import { sequentialIds } from "./sequential-ids.js";

export type RefChange = ReferenceAuditEntry["changes"][number];
export type AuditDraft = Omit<ReferenceAuditEntry, "id" | "createdAt">;

// The fields of a reference whose changes the history records.
const TRACKED = [
  "entityType",
  "entityId",
  "externalType",
  "externalId",
  "metadata",
  "payloadHash",
  "remoteDeleted",
] as const;
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

/**
 * Appends history entries in the caller's transaction, many rows per statement: an import
 * records one entry per reference it changes.
 */
export async function writeRefAudit(
  tx: SqlClient,
  now: Date,
  entries: Array<AuditDraft & { connectionId: string; id?: string; at?: Date }>,
): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => ({
    id: e.id ?? sequentialIds("audit", now, 1)[0]!,
    referenceId: e.referenceId,
    connectionId: e.connectionId,
    action: e.action,
    actor: e.actor,
    source: e.source,
    changes: jsonText(e.changes),
    createdAt: e.at ?? now,
  }));
  await insertReferenceAudit(typed(tx), rows);
}

/**
 * A reference's history, oldest first. While the reference exists its link entry is read from the
 * reference itself (linkedBy, linkedVia, createdAt), with the fields as they were then: the
 * current ones with every later change undone. Unlinking writes that entry down.
 */
export async function referenceHistory(sql: SqlClient, referenceId: string): Promise<ReferenceAuditEntry[]> {
  const stored = await storedEntries(sql, referenceId);
  const link = await unwrittenLink(sql, referenceId, stored);
  return link ? [link, ...stored] : stored;
}

async function storedEntries(sql: SqlClient, referenceId: string): Promise<ReferenceAuditEntry[]> {
  const rows = await referenceAuditRows(typed(sql), referenceId);
  const entries = rows.map(
    (r): ReferenceAuditEntry => ({
      id: r.id,
      referenceId: r.referenceId,
      action: r.action as ReferenceAuditEntry["action"],
      actor: r.actor,
      source: r.source as ReferenceAuditEntry["source"],
      changes: r.changes as RefChange[],
      createdAt: r.createdAt.toISOString(),
    }),
  );
  // A link comes first and an unlink last whatever their ids (they may share a millisecond).
  const rank = (e: ReferenceAuditEntry) => (e.action === "link" ? 0 : e.action === "unlink" ? 2 : 1);
  return entries.sort((a, b) => rank(a) - rank(b));
}

/**
 * The link entry of a reference that exists and has none written yet, read from the reference
 * with every later change undone. Unlinking writes it down (pass the stored entries if known).
 */
export async function unwrittenLink(
  sql: SqlClient,
  referenceId: string,
  stored?: ReferenceAuditEntry[],
): Promise<ReferenceAuditEntry | undefined> {
  const later = stored ?? (await storedEntries(sql, referenceId));
  if (later.some((e) => e.action === "link")) return undefined;
  const row = await referenceWithLinkById(typed(sql), referenceId);
  if (!row) return undefined;
  const reference = toReference(row);
  const state: Record<string, unknown> = { ...reference };
  for (const entry of [...later].reverse()) for (const c of entry.changes) state[c.field] = c.from;
  return {
    id: `aud_${referenceId.slice(referenceId.indexOf("_") + 1)}`, // stable: the reference's own ULID
    referenceId,
    action: "link",
    actor: row.linkedBy ?? "unknown",
    source: (row.linkedVia ?? "cli") as ReferenceAuditEntry["source"],
    changes: diffRef(null, state as unknown as Tracked),
    createdAt: reference.createdAt,
  };
}
