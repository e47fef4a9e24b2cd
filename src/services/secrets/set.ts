import { ConflictError, UsageError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { insertSecretRow, lockSecretName, secretById } from "../../db/queries/integration-secret.js";
import { secretsNamed, updateSecretRow } from "../../db/queries/integration-secret.js";
import { encrypt } from "../../lib/crypto.js";
import { newId } from "../../lib/ids.js";
import type { TokenType } from "../../types/enums.js";
import type { IntegrationSecretInfo } from "../../types/integration/api.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { sealingRing } from "./master-key.js";
import { toSecretInfo, validateSecretName } from "./rows.js";

export interface SetSecretInput {
  name: string;
  /** Required to create; when replacing, omitted keeps the secret's type. */
  tokenType?: TokenType;
  value: string;
  /** undefined keeps the current expiry on replace; null clears it. */
  expiresAt?: Date | null;
  /** Seal under the configured key even though it opens none of the stored secrets (--new-master-key). */
  newMasterKey?: boolean;
}

export interface SetSecretResult {
  secret: IntegrationSecretInfo;
  created: boolean;
  /** The key file this call created (the embedded database's first secret), for the operator to back up. */
  keyFileCreated: string | null;
}

/**
 * `secrets set <name>`: creates the secret, or replaces the value of the one with that name. One
 * transaction: the row and its audit event land together. The value is sealed under the current
 * master key, bound to the row's id, and never stored, logged or returned in the clear.
 */
export async function setSecret(ctx: ServiceContext, input: SetSecretInput): Promise<SetSecretResult> {
  const name = validateSecretName(input.name);
  if (input.value.length === 0)
    throw new UsageError("The secret value is empty; nothing was written.", undefined, "EMPTY_SECRET");
  const now = ctx.now();
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
    throw new UsageError(
      `The expiry ${input.expiresAt.toISOString()} is not in the future; nothing was written.`,
      undefined,
      "INVALID_EXPIRY",
    );
  }
  const { ring, secret } = await ctx.sql.transaction(async (tx) => {
    // Read inside the write transaction: on SQLite a rotation cannot then finish (and prune-keys
    // drop the key read here) before this row commits; its next batch moves the row instead.
    const ring = await sealingRing({ ...ctx, sql: tx }, { startOver: input.newMasterKey });
    const db = typed(tx);
    // PostgreSQL has no unique index on names to stop two concurrent creators (SQLite's BEGIN
    // IMMEDIATE does): writers of one name queue on a lock until this transaction ends.
    await lockSecretName(db, name);
    const existing = await secretsNamed(db, name);
    if (existing.length > 1) {
      throw new ConflictError(
        `${existing.length} secrets are named "${name}": ${existing.map((r) => r.id).join(", ")}.`,
        "Delete all but one by id first.",
        "AMBIGUOUS_NAME",
      );
    }
    const old = existing[0];
    const tokenType = input.tokenType ?? old?.tokenType;
    if (!tokenType)
      throw new UsageError(
        `--type is required to create the secret "${name}"; nothing was written.`,
        undefined,
        "TYPE_REQUIRED",
      );
    const id = old?.id ?? newId("secret", now);
    const ciphertext = encrypt(ring.current, input.value, id);
    if (old) {
      const expiresAt = input.expiresAt === undefined ? old.expiresAt : input.expiresAt;
      const set = { tokenType, ciphertext, masterKeyId: ring.current.id, expiresAt, rotatedAt: now, updatedAt: now };
      await updateSecretRow(db, id, set);
    } else {
      const row = { id, name, tokenType, ciphertext, masterKeyId: ring.current.id, expiresAt: input.expiresAt ?? null };
      await insertSecretRow(db, { ...row, rotatedAt: null, createdAt: now, updatedAt: now });
    }
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: old ? "secret.update" : "secret.create",
        targetType: "secret",
        targetId: id,
        // newMasterKey marks a deliberate start-over under a key that opened none of the stored secrets.
        metadata: { name, tokenType, masterKeyId: ring.current.id, ...(input.newMasterKey && { newMasterKey: true }) },
      },
    );
    const row = await secretById(db, id);
    return { ring, secret: { info: toSecretInfo(row!), created: !old } };
  });
  return { secret: secret.info, created: secret.created, keyFileCreated: ring.created ? ring.file : null };
}
