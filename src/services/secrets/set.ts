import { ConflictError, UsageError } from "../../errors.js";
import { col } from "../../db/sql.js";
import { encrypt } from "../../lib/crypto.js";
import { newId } from "../../lib/ids.js";
import type { TokenType } from "../../types/enums.js";
import type { IntegrationSecretInfo } from "../../types/integration/api.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { sealingRing } from "./master-key.js";
import { SECRET_COLUMNS, toSecretInfo, validateSecretName, type SecretRow } from "./rows.js";

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

// Any constant does; with the name's hash it serialises writers of one name on PostgreSQL, which
// has no unique index on names to stop two concurrent creators (SQLite's BEGIN IMMEDIATE does).
const NAME_LOCK_CLASS = 734_018_212;

/**
 * `secrets set <name>`: creates the secret, or replaces the value of the one with that name. One
 * transaction: the row and its audit event land together. The value is sealed under the current
 * master key, bound to the row's id, and never stored, logged or returned in the clear.
 */
export async function setSecret(ctx: ServiceContext, input: SetSecretInput): Promise<SetSecretResult> {
  const name = validateSecretName(input.name);
  if (input.value.length === 0) throw new UsageError("The secret value is empty; nothing was written.", undefined, "EMPTY_SECRET");
  const now = ctx.now();
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
    throw new UsageError(`The expiry ${input.expiresAt.toISOString()} is not in the future; nothing was written.`, undefined, "INVALID_EXPIRY");
  }
  const { ring, secret } = await ctx.sql.transaction(async (tx) => {
    // Read inside the write transaction: on SQLite a rotation cannot then finish (and prune-keys
    // drop the key read here) before this row commits; its next batch moves the row instead.
    const ring = await sealingRing({ ...ctx, sql: tx }, { startOver: input.newMasterKey });
    if (tx.provider === "postgresql") await tx.run(`SELECT pg_advisory_xact_lock(?, hashtext(?))`, [NAME_LOCK_CLASS, name]);
    const existing = await tx.all<SecretRow>(`SELECT ${SECRET_COLUMNS} FROM "IntegrationSecret" WHERE "name" = ?`, [name]);
    if (existing.length > 1) {
      throw new ConflictError(`${existing.length} secrets are named "${name}": ${existing.map((r) => r.id).join(", ")}.`, "Delete all but one by id first.", "AMBIGUOUS_NAME");
    }
    const old = existing[0];
    const tokenType = input.tokenType ?? old?.tokenType;
    if (!tokenType) throw new UsageError(`--type is required to create the secret "${name}"; nothing was written.`, undefined, "TYPE_REQUIRED");
    const id = old?.id ?? newId("secret", now);
    const ciphertext = encrypt(ring.current, input.value, id);
    if (old) {
      const expiresAt = input.expiresAt === undefined ? col.dateOrNull(old.expiresAt) : input.expiresAt;
      await tx.run(
        `UPDATE "IntegrationSecret" SET "tokenType" = ?, "ciphertext" = ?, "masterKeyId" = ?, "expiresAt" = ?, "rotatedAt" = ?, "updatedAt" = ? WHERE "id" = ?`,
        [tokenType, ciphertext, ring.current.id, expiresAt, now, now, id],
      );
    } else {
      await tx.run(
        `INSERT INTO "IntegrationSecret" ("id","name","tokenType","ciphertext","masterKeyId","expiresAt","rotatedAt","createdAt","updatedAt") VALUES (?,?,?,?,?,?,?,?,?)`,
        [id, name, tokenType, ciphertext, ring.current.id, input.expiresAt ?? null, null, now, now],
      );
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
    const row = await tx.get<SecretRow>(`SELECT ${SECRET_COLUMNS} FROM "IntegrationSecret" WHERE "id" = ?`, [id]);
    return { ring, secret: { info: toSecretInfo(row!), created: !old } };
  });
  return { secret: secret.info, created: secret.created, keyFileCreated: ring.created ? ring.file : null };
}
