import { generateSigningSecret } from "../../lib/webhook-signing.js";
import type { WebhookEndpointCreated } from "../../types/integration/webhook.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { sealingRing } from "../secrets/master-key.js";
import { findEndpointRow, toEndpointInfo } from "./endpoint-rows.js";
import { currentSlot, openSecret, previousSlot, sealSecret } from "./endpoint-secret.js";

/**
 * Gives an endpoint a new secret, returned this once. The old secret becomes the previous one and
 * keeps signing (a second signature in webhook-signature) until now + grace, so receivers can
 * switch without rejecting a delivery. A grace of 0 drops the old secret at once. A rotation
 * during another's grace replaces that grace's secret: only two secrets ever sign.
 */
export async function rotateEndpointSecret(ctx: ServiceContext, id: string, input: { graceMs: number }): Promise<WebhookEndpointCreated> {
  const now = ctx.now();
  const secret = generateSigningSecret();
  return ctx.sql.transaction(async (tx) => {
    const ring = await sealingRing({ ...ctx, sql: tx }, { create: false }); // in the transaction: see secrets/set.ts
    await findEndpointRow(tx, id, true);
    const row = await tx.get<{ secretCiphertext: string }>(`SELECT "secretCiphertext" FROM "WebhookEndpoint" WHERE "id" = ?`, [id]);
    const old = openSecret(ring, row!.secretCiphertext, currentSlot(id));
    const graceEndsAt = input.graceMs > 0 ? new Date(now.getTime() + input.graceMs) : null;
    await tx.run(
      `UPDATE "WebhookEndpoint" SET "secretCiphertext" = ?, "previousSecretCiphertext" = ?, "previousSecretExpiresAt" = ?, "updatedAt" = ? WHERE "id" = ?`,
      [sealSecret(ring.current, secret, currentSlot(id)), graceEndsAt ? sealSecret(ring.current, old, previousSlot(id)) : null, graceEndsAt, now, id],
    );
    await recordAudit({ ...ctx, sql: tx }, { action: "endpoint.rotate_secret", targetType: "endpoint", targetId: id, metadata: { graceEndsAt: graceEndsAt?.toISOString() ?? null } });
    return { ...toEndpointInfo(await findEndpointRow(tx, id)), secret };
  });
}
