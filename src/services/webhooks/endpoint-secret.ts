import { col } from "../../db/sql.js";
import { decrypt, encrypt, type MasterKey } from "../../lib/crypto.js";
import type { ServiceContext } from "../context.js";
import { requireKey, requireMasterKeys, type MasterKeyRing } from "../secrets/master-key.js";
import { checkConfig } from "../integrity/config.js";
import { findEndpointRow } from "./endpoint-rows.js";

// An endpoint's signing secrets at rest: AES-256-GCM under the master key ring, like every
// credential. Each ciphertext is bound to its endpoint and to its slot, so neither can be moved
// to another endpoint, nor the previous secret swapped with the current one.

export const currentSlot = (endpointId: string) => endpointId;
export const previousSlot = (endpointId: string) => `${endpointId}#previous`;

export function sealSecret(key: MasterKey, secret: string, slot: string): string {
  return encrypt(key, secret, slot);
}

export function openSecret(ring: MasterKeyRing, envelope: string, slot: string): string {
  const label = `The signing secret of webhook endpoint ${slot}`;
  return decrypt((id) => requireKey(ring, id, label), envelope, slot, label);
}

/**
 * The secrets that sign a delivery now: the current one, then the previous one while its rotation
 * grace lasts (the worker sends both signatures). For the delivery worker and for tests.
 */
export async function signingSecrets(ctx: ServiceContext, endpointId: string): Promise<string[]> {
  const row = await findEndpointRow(ctx.sql, endpointId);
  // Whoever gets the secrets sends to the URL: a URL changed outside intg is refused first.
  await checkConfig(ctx, [["WebhookEndpoint", row]]);
  const ciphers = await ctx.sql.get<{ secretCiphertext: string; previousSecretCiphertext: string | null }>(
    `SELECT "secretCiphertext", "previousSecretCiphertext" FROM "WebhookEndpoint" WHERE "id" = ?`,
    [row.id],
  );
  const ring = await requireMasterKeys(ctx);
  const secrets = [openSecret(ring, ciphers!.secretCiphertext, currentSlot(row.id))];
  const graceEnds = col.dateOrNull(row.previousSecretExpiresAt);
  if (ciphers!.previousSecretCiphertext && graceEnds && graceEnds > ctx.now()) {
    secrets.push(openSecret(ring, ciphers!.previousSecretCiphertext, previousSlot(row.id)));
  }
  return secrets;
}
