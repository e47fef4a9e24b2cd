import { ConflictError } from "../../errors.js";
import { ApiKeyStatus } from "../../db/generated/kysely/enums.js";
import { typed } from "../../db/kysely.js";
import { keyRowsByIds, keyRowsWhere, updateKeyRow } from "../../db/queries/api-key.js";
import { keyFilter } from "../../db/queries/api-key-filter.js";
import type { ApiBatchRequest, ApiBatchResult, ApiKeyInfo } from "../../types/integration/api.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { findKeyRow } from "./show.js";
import { keyInfos } from "./views.js";

export async function revokeKey(
  ctx: ServiceContext,
  input: { id: string; reason: string | null },
): Promise<ApiKeyInfo> {
  const now = ctx.now();
  return ctx.sql.transaction(async (tx) => {
    const row = await findKeyRow(tx, input.id);
    if (row.status === "REVOKED")
      throw new ConflictError(`Key ${row.id} is already revoked.`, undefined, "KEY_ALREADY_REVOKED");
    await revokeRows(ctx, tx, [row.id], input.reason, now);
    return (await keyInfos(tx, [await findKeyRow(tx, row.id)], now))[0]!;
  });
}

/**
 * Revokes every key the filter matches that is not revoked yet, in one transaction; with dryRun
 * it only reports them. Each revocation is audited.
 */
export async function revokeKeys(ctx: ServiceContext, request: ApiBatchRequest): Promise<ApiBatchResult> {
  const now = ctx.now();
  const where = keyFilter(request.where, now, ApiKeyStatus.REVOKED);
  return ctx.sql.transaction(async (tx) => {
    const rows = await keyRowsWhere(typed(tx), where, "asc");
    if (!request.dryRun)
      await revokeRows(
        ctx,
        tx,
        rows.map((r) => r.id),
        request.reason,
        now,
      );
    const after = request.dryRun
      ? rows
      : await keyRowsByIds(
          typed(tx),
          rows.map((r) => r.id),
        );
    return {
      request,
      matched: rows.length,
      changed: request.dryRun ? 0 : rows.length,
      keys: await keyInfos(tx, after, now),
    };
  });
}

async function revokeRows(
  ctx: ServiceContext,
  tx: ServiceContext["sql"],
  ids: string[],
  reason: string | null,
  now: Date,
): Promise<void> {
  for (const id of ids) {
    const set = { status: ApiKeyStatus.REVOKED, revokedAt: now, revokedReason: reason, updatedAt: now };
    await updateKeyRow(typed(tx), id, set);
    await recordAudit({ ...ctx, sql: tx }, { action: "key.revoke", targetType: "api_key", targetId: id, reason });
  }
}
