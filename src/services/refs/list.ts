import { NotFoundError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { referenceRows, type RefFilter } from "../../db/queries/external-reference/read.js";
import type { ExternalReference, ReferenceAuditEntry } from "../../types/integration/external-reference.types.js";
import type { ServiceContext } from "../context.js";
import { referenceHistory } from "./audit.js";
import { findRef, toReference } from "./rows.js";

export type { RefFilter } from "../../db/queries/external-reference/read.js";

/** Oldest first (ids sort by creation); one more than the limit tells the caller there is more. */
export async function listReferences(
  ctx: ServiceContext,
  filter: RefFilter,
  limit: number,
): Promise<{ references: ExternalReference[]; more: boolean }> {
  const rows = await referenceRows(typed(ctx.sql), filter, limit + 1);
  return { references: rows.slice(0, limit).map(toReference), more: rows.length > limit };
}

/** One reference by its id (exit 5 when there is none). */
export function showReference(ctx: Pick<ServiceContext, "sql">, input: { id: string }): Promise<ExternalReference> {
  return findRef(ctx.sql, input.id);
}

/** Every change of a reference, oldest first; still there after it was unlinked. */
export async function showHistory(ctx: ServiceContext, input: { id: string }): Promise<ReferenceAuditEntry[]> {
  const entries = await referenceHistory(ctx.sql, input.id);
  if (entries.length === 0)
    throw new NotFoundError(
      `No reference ${input.id}, and no history of one.`,
      "Find references with: intg refs list",
      "REF_NOT_FOUND",
    );
  return entries;
}
