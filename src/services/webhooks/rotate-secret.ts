import { ConflictError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { updateEndpointRow } from "../../db/queries/webhook-endpoint.js";
import { generateSigningSecret } from "../../lib/webhook-signing.js";
import type { WebhookEndpointCreated } from "../../types/integration/webhook.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { sealingRing } from "../secrets/master-key.js";
import { findEndpointRow, toEndpointInfo } from "./endpoint-rows.js";
import {
  currentSlot,
  liveRetired,
  olderSlot,
  openSecret,
  previousSlot,
  readSecretColumns,
  RETIRED_MAX,
  sealSecret,
  type SigningKey,
} from "./endpoint-secret.js";

/**
 * Gives an endpoint a new secret, returned this once. The old secret retires: it keeps signing (one
 * more signature in webhook-signature) until now + grace, so receivers can switch without rejecting
 * a delivery; a grace of 0 drops it at once. Every retired secret keeps the end it was promised: a
 * later rotation neither shortens nor extends it. Two retired secrets live at most (three signatures):
 * a rotation that would need a third is refused (exit 6), unless forced, which drops the oldest.
 */
export async function rotateEndpointSecret(
  ctx: ServiceContext,
  id: string,
  input: { graceMs: number; force?: boolean },
): Promise<WebhookEndpointCreated> {
  const now = ctx.now();
  const secret = generateSigningSecret();
  return ctx.sql.transaction(async (tx) => {
    const ring = await sealingRing({ ...ctx, sql: tx }, { create: false }); // in the transaction: see secrets/set.ts
    await findEndpointRow(tx, id, true); // not found, or held against a concurrent rotation
    const row = (await readSecretColumns(tx, id))!;
    const graceEndsAt = input.graceMs > 0 ? new Date(now.getTime() + input.graceMs) : null;
    // Newest first; a retired secret past its end is dropped here as it no longer signs.
    const kept: SigningKey[] = [...liveRetired(ring, row, id, now)];
    if (graceEndsAt) {
      kept.unshift({ secret: openSecret(ring, row.secretCiphertext, currentSlot(id)), until: graceEndsAt });
    }
    let dropped: SigningKey | undefined;
    if (kept.length > RETIRED_MAX) {
      dropped = kept[kept.length - 1]!;
      if (!input.force) throw refusal(id, kept.slice(1));
      kept.pop();
    }
    // A retired secret may move from the previous slot to the older one: sealed again for its new slot.
    const [previous, older] = kept;
    const seal = (k: SigningKey | undefined, slot: string) => (k ? sealSecret(ring.current, k.secret, slot) : null);
    await updateEndpointRow(typed(tx), id, {
      secretCiphertext: sealSecret(ring.current, secret, currentSlot(id)),
      previousSecretCiphertext: seal(previous, previousSlot(id)),
      previousSecretExpiresAt: previous?.until ?? null,
      olderSecretCiphertext: seal(older, olderSlot(id)),
      olderSecretExpiresAt: older?.until ?? null,
      updatedAt: now,
    });
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "endpoint.rotate_secret",
        targetType: "endpoint",
        targetId: id,
        metadata: {
          graceEndsAt: graceEndsAt?.toISOString() ?? null,
          forced: input.force === true,
          // The promise --force broke, so the log says which secret stopped signing early.
          droppedSecretPromisedUntil: dropped?.until?.toISOString() ?? null,
          retiredSecretsUntil: kept.map((k) => k.until!.toISOString()),
        },
      },
    );
    return { ...toEndpointInfo(await findEndpointRow(tx, id)), secret };
  });
}

function refusal(id: string, retired: SigningKey[]): ConflictError {
  const ends = retired.map((k) => k.until!.toISOString());
  const first = retired.reduce((a, b) => (a.until! <= b.until! ? a : b)).until!.toISOString();
  return new ConflictError(
    `${id} already signs with three secrets: two rotated-out secrets are promised until ${ends.join(" and ")}. ` +
      `A rotation now would stop the oldest (promised until ${ends.at(-1)}) early. Nothing was changed.`,
    `Rotate again after ${first}, rotate with --grace 0 (the current secret stops signing at once), ` +
      "or pass --force to drop the oldest secret now.",
    "ROTATION_IN_GRACE",
  );
}
