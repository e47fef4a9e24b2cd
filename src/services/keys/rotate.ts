import { ConflictError, CredentialError } from "../../errors.js";
import { ApiKeyStatus } from "../../db/generated/kysely/enums.js";
import { typed } from "../../db/kysely.js";
import { claimActiveKey } from "../../db/queries/api-key.js";
import type { JsonObject } from "../../types/common.js";
import type { ApiKeyCreated, ApiKeyRotationRequest, ApiKeyRotationStatus } from "../../types/integration/api.types.js";
import type { KeyEnvironment } from "../../lib/api-key.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { insertKey } from "./create.js";
import { findKeyRow } from "./show.js";
import { effectiveStatus, keyInfos, scopesOf } from "./views.js";

/**
 * Issues a successor with the same name, scopes, metadata, owner, environment and expiry; the old
 * key stays valid until now + grace (never beyond its own expiry), then expires. The claim is one
 * conditional UPDATE: of two rotations racing on a key, exactly one changes the row and the other
 * gets a conflict.
 */
export async function rotateKey(ctx: ServiceContext, input: ApiKeyRotationRequest): Promise<ApiKeyCreated> {
  const now = ctx.now();
  return ctx.sql.transaction(async (tx) => {
    const old = await findKeyRow(tx, input.keyId);
    const expiresAt = old.expiresAt;
    const status = effectiveStatus(old.status, expiresAt, old.graceEndsAt, now);
    if (status === "REVOKED" || status === "EXPIRED") {
      throw new CredentialError(
        `Key ${old.id} is ${status.toLowerCase()}; only an active key can be rotated.`,
        "Create a new key with: intg keys create",
        "KEY_NOT_ROTATABLE",
      );
    }
    let graceEndsAt = new Date(now.getTime() + input.graceMs);
    if (expiresAt && expiresAt < graceEndsAt) graceEndsAt = expiresAt;
    const newStatus = input.graceMs > 0 ? ApiKeyStatus.ROTATING : ApiKeyStatus.EXPIRED;
    const claimed = await claimActiveKey(typed(tx), old.id, { status: newStatus, graceEndsAt, updatedAt: now });
    if (claimed !== 1) {
      throw new ConflictError(
        `Key ${old.id} has already been rotated.`,
        `See: intg keys rotate status ${old.id}`,
        "KEY_ALREADY_ROTATED",
      );
    }
    const scopes = (await scopesOf(tx, [old.id])).get(old.id) ?? [];
    const created = await insertKey(
      tx,
      now,
      {
        name: old.name,
        scopes,
        environment: old.environment as KeyEnvironment,
        prefix: old.prefix,
        ownerId: old.ownerId,
        metadata: (old.metadata ?? null) as JsonObject | null,
        expiresAt,
      },
      old.id,
    );
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "key.rotate",
        targetType: "api_key",
        targetId: old.id,
        metadata: { newKeyId: created.id, graceEndsAt: graceEndsAt.toISOString() },
      },
    );
    const [info] = await keyInfos(tx, [await findKeyRow(tx, created.id)], now);
    return { ...info!, key: created.key };
  });
}

/** Whether callers still use the old key since its successor was issued. */
export async function rotationStatus(ctx: ServiceContext, input: { id: string }): Promise<ApiKeyRotationStatus> {
  const now = ctx.now();
  const info = async (id: string) => (await keyInfos(ctx.sql, [await findKeyRow(ctx.sql, id)], now))[0]!;
  let oldInfo = await info(input.id);
  // Given the new key's id, answer for the rotation that produced it.
  if (!oldInfo.rotatedToId && oldInfo.rotatedFromId) oldInfo = await info(oldInfo.rotatedFromId);
  if (!oldInfo.rotatedToId)
    throw new ConflictError(
      `Key ${input.id} has not been rotated.`,
      `Rotate it with: intg keys rotate ${input.id}`,
      "KEY_NOT_ROTATED",
    );
  const newInfo = await info(oldInfo.rotatedToId);
  const usedSince = oldInfo.lastUsedAt !== null && oldInfo.lastUsedAt > newInfo.createdAt;
  return {
    oldKeyId: oldInfo.id,
    newKeyId: newInfo.id,
    rotatedAt: newInfo.createdAt,
    graceEndsAt: oldInfo.graceEndsAt,
    oldKeyValid: oldInfo.status === "ROTATING",
    oldKeyLastUsedAt: oldInfo.lastUsedAt,
    oldKeyUsedSinceRotation: usedSince,
    newKeyLastUsedAt: newInfo.lastUsedAt,
  };
}
