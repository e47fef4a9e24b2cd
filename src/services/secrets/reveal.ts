import { CredentialError } from "../../errors.js";
import { decrypt } from "../../lib/crypto.js";
import type { SecretRevealed } from "../../types/secrets.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { requireKey, requireMasterKeys } from "./master-key.js";
import { findSecret, secretLabel, toSecretInfo } from "./rows.js";

/**
 * `secrets reveal <name|id>`: decrypts one secret, only because it was asked for by name. Reading a
 * credential is recorded in the audit log like a change (who read what, and failed attempts),
 * since a leak is traced through exactly these events.
 */
export async function revealSecret(ctx: ServiceContext, ref: string): Promise<SecretRevealed> {
  const row = await findSecret(ctx.sql, ref, { ciphertext: true });
  const label = secretLabel(row);
  let value: string;
  try {
    const ring = await requireMasterKeys(ctx);
    value = decrypt((id) => requireKey(ring, id, label), row.ciphertext, row.id, label);
  } catch (error) {
    // A credential failure is worth a trace (a wrong key, a tampered row); a malformed
    // INTG_MASTER_KEY is a usage error, and those write nothing.
    if (error instanceof CredentialError) {
      await recordAudit(ctx, {
        action: "secret.reveal",
        targetType: "secret",
        targetId: row.id,
        outcome: "failure",
        reason: error.code,
        metadata: { name: row.name },
      });
    }
    throw error;
  }
  await recordAudit(ctx, {
    action: "secret.reveal",
    targetType: "secret",
    targetId: row.id,
    metadata: { name: row.name, masterKeyId: row.masterKeyId },
  });
  return { ...toSecretInfo(row), value };
}
