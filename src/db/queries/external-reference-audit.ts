import type { Insertable, Selectable } from "kysely";
import type { ExternalReferenceAudit } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";

// Every statement on "ExternalReferenceAudit": the history of each reference after its link.

export type ReferenceAuditRow = Selectable<ExternalReferenceAudit>;

/** 8 parameters a row: 500 rows stay well under both databases' limits. */
const CHUNK = 500;

/** Appends entries, many rows per statement (an import records one per reference it changes). */
export async function insertReferenceAudit(db: Db, rows: readonly Insertable<ExternalReferenceAudit>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto("ExternalReferenceAudit")
      .values(rows.slice(i, i + CHUNK))
      .execute();
  }
}

/** A reference's entries in the order they were written (ids are sequential). */
export function referenceAuditRows(db: Db, referenceId: string): Promise<ReferenceAuditRow[]> {
  return db
    .selectFrom("ExternalReferenceAudit")
    .selectAll()
    .where("referenceId", "=", referenceId)
    .orderBy("id")
    .execute();
}
