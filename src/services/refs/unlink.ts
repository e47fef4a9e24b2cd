import type { ExternalReference } from "../../types/integration/external-reference.types.js";
import type { ServiceContext } from "../context.js";
import { diffRef, referenceHistory, writeRefAudit } from "./audit.js";
import { findRef } from "./rows.js";

/**
 * Deletes a reference; its history stays (the unlink entry records every field it had), as do
 * its share links' audit. Returns the reference as it was.
 */
export async function unlinkReference(ctx: ServiceContext, input: { id: string; dryRun: boolean }): Promise<ExternalReference> {
  const now = ctx.now();
  return ctx.sql.transaction(async (tx) => {
    const ref = await findRef(tx, input.id);
    if (input.dryRun) return ref;
    // The link entry is read from the reference while it exists: write it down before it goes.
    const [first] = await referenceHistory(tx, ref.id);
    const link = first && first.action === "link" && !(await tx.get(`SELECT 1 FROM "ExternalReferenceAudit" WHERE "id" = ?`, [first.id])) ? [{ ...first, connectionId: ref.connectionId, at: new Date(first.createdAt) }] : [];
    await tx.run(`DELETE FROM "ExternalReference" WHERE "id" = ?`, [ref.id]);
    await writeRefAudit(tx, now, [...link, { referenceId: ref.id, connectionId: ref.connectionId, action: "unlink", actor: ctx.actor, source: "cli", changes: diffRef(ref, null) }]);
    return ref;
  });
}
