import { type Db, jsonText } from "../../kysely.js";
import type { Writable } from "node:stream";
import { sql } from "kysely";
import type { SqlClient } from "../../sql.js";
import { copyValue } from "./stage.js";
import type { ImportedRef } from "./import.js";
import { WRITTEN_COLUMNS } from "./columns.js";

// The import's fast path on PostgreSQL: rows COPYed straight into "ExternalReference" inside a
// savepoint. COPY has no ON CONFLICT: a row that hits an existing reference fails the COPY with
// unique_violation, the savepoint is rolled back, and those rows go through the staging table.
const SAVEPOINT = sql.id("intg_import");

export async function savepoint(db: Db, action: "begin" | "release" | "rollback"): Promise<void> {
  const statement = {
    begin: sql`SAVEPOINT ${SAVEPOINT}`,
    release: sql`RELEASE SAVEPOINT ${SAVEPOINT}`,
    rollback: sql`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`,
  };
  await statement[action].execute(db);
}

/** A COPY into "ExternalReference", fed with referenceCopyText(); see SqlClient.copyFrom. */
export function copyIntoReferences(tx: SqlClient): Promise<Writable> {
  if (!tx.copyFrom) throw new Error("COPY needs PostgreSQL");
  return tx.copyFrom(`COPY "ExternalReference" (${WRITTEN_COLUMNS.map((c) => `"${c}"`).join(", ")}) FROM STDIN`);
}

/** Imported rows as COPY text in WRITTEN_COLUMNS order (see copyText for the escapes). */
export function referenceCopyText(
  rows: readonly ImportedRef[],
  ids: readonly string[],
  now: Date,
  actor: string,
): string {
  const at = now.toISOString(); // a TIMESTAMP ignores the zone: the UTC time is kept
  const common = `${at}\t${at}\tf\t${copyValue(actor)}\timport\t${at}\t${at}\n`;
  let text = "";
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const metadata = r.metadata ? copyValue(jsonText(r.metadata)) : "\\N";
    const hash = r.payloadHash === undefined || r.payloadHash === null ? "\\N" : copyValue(r.payloadHash);
    text += `${ids[i]!}\t${copyValue(r.connectionId)}\t${copyValue(r.entityType)}\t${copyValue(r.entityId)}\t`;
    text += `${copyValue(r.externalType)}\t${copyValue(r.externalId)}\t${metadata}\t${hash}\t${common}`;
  }
  return text;
}
