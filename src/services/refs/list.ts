import { NotFoundError } from "../../errors.js";
import type { ExternalReference, ReferenceAuditEntry } from "../../types/integration/external-reference.types.js";
import type { ServiceContext } from "../context.js";
import { referenceHistory } from "./audit.js";
import { REF_COLUMNS, toReference, type RefRow } from "./rows.js";

export interface RefFilter {
  connectionIds: string[];
  entityTypes: string[];
  externalTypes: string[];
  /** Changed at or after. */
  since: Date | null;
}

/** The WHERE clause of list, export and metrics over references aliased `r`. */
export function whereRefs(f: RefFilter): { where: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const anyOf = (column: string, values: string[]) => {
    if (values.length === 0) return;
    parts.push(`r."${column}" IN (${values.map(() => "?").join(",")})`);
    params.push(...values);
  };
  anyOf("connectionId", f.connectionIds);
  anyOf("entityType", f.entityTypes);
  anyOf("externalType", f.externalTypes);
  if (f.since) {
    parts.push(`r."updatedAt" >= ?`);
    params.push(f.since);
  }
  return { where: parts.length ? parts.join(" AND ") : "1=1", params };
}

/** Oldest first (ids sort by creation); one more than the limit tells the caller there is more. */
export async function listReferences(ctx: ServiceContext, filter: RefFilter, limit: number): Promise<{ references: ExternalReference[]; more: boolean }> {
  const { where, params } = whereRefs(filter);
  const rows = await ctx.sql.all<RefRow>(`SELECT ${REF_COLUMNS} FROM "ExternalReference" r WHERE ${where} ORDER BY r."id" LIMIT ?`, [...params, limit + 1]);
  return { references: rows.slice(0, limit).map(toReference), more: rows.length > limit };
}

/** Every change of a reference, oldest first; still there after it was unlinked. */
export async function showHistory(ctx: ServiceContext, input: { id: string }): Promise<ReferenceAuditEntry[]> {
  const entries = await referenceHistory(ctx.sql, input.id);
  if (entries.length === 0) throw new NotFoundError(`No reference ${input.id}, and no history of one.`, "Find references with: intg refs list", "REF_NOT_FOUND");
  return entries;
}
