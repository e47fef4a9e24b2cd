import { ConflictError } from "../../errors.js";
import type { SecretDeletion } from "../../types/secrets.types.js";
import { typed } from "../../db/kysely.js";
import { connectionIdsWithCredential } from "../../db/queries/integration-connection.js";
import { deleteSecretRow } from "../../db/queries/integration-secret.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { findSecret, secretLabel, toSecretInfo } from "./rows.js";

export interface DeleteSecretInput {
  dryRun?: boolean;
  /** Delete even when connections use it as their credential (they are left without one). */
  force?: boolean;
}

/**
 * `secrets delete <name|id>`. A connection's credential is a foreign key that the database sets
 * to null on delete, which would silently leave the connection unable to authenticate: that needs
 * `force`. The row and its audit event go in one transaction.
 */
export async function deleteSecret(
  ctx: ServiceContext,
  ref: string,
  input: DeleteSecretInput = {},
): Promise<SecretDeletion> {
  return ctx.sql.transaction(async (tx) => {
    const row = await findSecret(tx, ref, { lock: true });
    const connectionIds = await connectionIdsWithCredential(typed(tx), row.id);
    if (connectionIds.length > 0 && !input.force) {
      throw new ConflictError(
        `${secretLabel(row)} is the credential of ${connectionIds.length} connection(s): ${connectionIds.join(", ")}. Deleting it would leave them without one.`,
        "Re-run with --force to delete it anyway.",
        "SECRET_IN_USE",
      );
    }
    const secret = toSecretInfo(row);
    if (input.dryRun) return { secret, dryRun: true, deleted: false, detachedConnectionIds: connectionIds };
    await deleteSecretRow(typed(tx), row.id);
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "secret.delete",
        targetType: "secret",
        targetId: row.id,
        metadata: { name: row.name, tokenType: row.tokenType, detachedConnectionIds: connectionIds },
      },
    );
    return { secret, dryRun: false, deleted: true, detachedConnectionIds: connectionIds };
  });
}
