import { ConflictError } from "../../cli/errors.js";
import { col } from "../../db/sql.js";
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
 * switch without rejecting a delivery. A grace of 0 drops the old secret at once. Two secrets sign
 * at most, so a rotation during another's grace would end that grace early: it is refused (exit 6)
 * unless forced, and a secret keeps verifying until the end it was promised.
 */
export async function rotateEndpointSecret(ctx: ServiceContext, id: string, input: { graceMs: number; force?: boolean }): Promise<WebhookEndpointCreated> {
  const now = ctx.now();
  const secret = generateSigningSecret();
  return ctx.sql.transaction(async (tx) => {
    const ring = await sealingRing({ ...ctx, sql: tx }, { create: false }); // in the transaction: see secrets/set.ts
    const current = await findEndpointRow(tx, id, true);
    const promised = col.dateOrNull(current.previousSecretExpiresAt);
    if (promised && promised > now && !input.force) {
      throw new ConflictError(
        `The previous signing secret of ${id} is promised to keep verifying until ${promised.toISOString()}; a rotation now would end that early. Nothing was changed.`,
        "Rotate again after that time, or pass --force to drop the previous secret now.",
        "ROTATION_IN_GRACE",
      );
    }
    const row = await tx.get<{ secretCiphertext: string }>(`SELECT "secretCiphertext" FROM "WebhookEndpoint" WHERE "id" = ?`, [id]);
    const old = openSecret(ring, row!.secretCiphertext, currentSlot(id));
    const graceEndsAt = input.graceMs > 0 ? new Date(now.getTime() + input.graceMs) : null;
    await tx.run(
      `UPDATE "WebhookEndpoint" SET "secretCiphertext" = ?, "previousSecretCiphertext" = ?, "previousSecretExpiresAt" = ?, "updatedAt" = ? WHERE "id" = ?`,
      [sealSecret(ring.current, secret, currentSlot(id)), graceEndsAt ? sealSecret(ring.current, old, previousSlot(id)) : null, graceEndsAt, now, id],
    );
    await recordAudit({ ...ctx, sql: tx }, { action: "endpoint.rotate_secret", targetType: "endpoint", targetId: id, metadata: { graceEndsAt: graceEndsAt?.toISOString() ?? null, forced: input.force === true } });
    return { ...toEndpointInfo(await findEndpointRow(tx, id)), secret };
  });
}
