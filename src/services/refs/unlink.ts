import { NotFoundError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { deleteReference } from "../../db/queries/external-reference/write.js";
import type { ExternalReference } from "../../types/integration/external-reference.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { diffRef, unwrittenLink, writeRefAudit } from "./audit.js";
import { resolveConnection } from "./connections.js";
import { findRef, refByExternal } from "./rows.js";

/**
 * Deletes a reference and its share links; its history stays (the unlink entry records every
 * field it had). Returns the reference as it was.
 */
export async function unlinkReference(
  ctx: ServiceContext,
  input: { id: string; dryRun: boolean },
): Promise<ExternalReference> {
  const now = ctx.now();
  return ctx.sql.transaction(async (tx) => {
    const ref = await findRef(tx, input.id);
    if (input.dryRun) return ref;
    // The link entry is read from the reference while it exists: write it down before it goes.
    const link = await unwrittenLink(tx, ref.id);
    const written = link ? [{ ...link, connectionId: ref.connectionId, at: new Date(link.createdAt) }] : [];
    await deleteReference(typed(tx), ref.id);
    await writeRefAudit(tx, now, [
      ...written,
      {
        referenceId: ref.id,
        connectionId: ref.connectionId,
        action: "unlink",
        actor: ctx.actor,
        source: "cli",
        changes: diffRef(ref, null),
      },
    ]);
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "reference.unlink",
        targetType: "reference",
        targetId: ref.id,
        metadata: {
          connectionId: ref.connectionId,
          entity: `${ref.entityType}:${ref.entityId}`,
          external: `${ref.externalType}:${ref.externalId}`,
        },
      },
    );
    return ref;
  });
}

/** The id of the reference holding an external record of a connection (given by id or name); exit 5 if none. */
export async function referenceIdOfExternal(
  ctx: Pick<ServiceContext, "sql">,
  input: { connection: string; externalType: string; externalId: string },
): Promise<string> {
  const connection = await resolveConnection(ctx.sql, input.connection);
  const found = await refByExternal(ctx.sql, connection.id, input.externalType, input.externalId);
  if (!found) {
    const what = `${input.externalType}:${input.externalId}`;
    throw new NotFoundError(`No reference for ${what} on ${connection.id}.`, undefined, "REF_NOT_FOUND");
  }
  return found.id;
}
