import { ApiKeyStatus } from "../../db/generated/kysely/enums.js";
import { typed } from "../../db/kysely.js";
import { keyRowsWhere, updateKeyRow } from "../../db/queries/api-key.js";
import { keyFilter } from "../../db/queries/api-key-filter.js";
import type { ApiKeyInfo } from "../../types/integration/api.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { keyInfos } from "./views.js";

/**
 * Marks EXPIRED every key past its expiry or its rotation grace that is not marked yet. Safe to run
 * from cron as often as wanted: a second run finds nothing.
 */
export async function expireKeys(ctx: ServiceContext): Promise<ApiKeyInfo[]> {
  const now = ctx.now();
  const { EXPIRED } = ApiKeyStatus;
  return ctx.sql.transaction(async (tx) => {
    const db = typed(tx);
    const rows = await keyRowsWhere(db, keyFilter({ status: [EXPIRED] }, now, EXPIRED), "asc");
    for (const row of rows) {
      await updateKeyRow(db, row.id, { status: EXPIRED, updatedAt: now });
      await recordAudit(
        { ...ctx, sql: tx },
        { action: "key.expire", targetType: "api_key", targetId: row.id, metadata: { previousStatus: row.status } },
      );
    }
    return keyInfos(
      tx,
      rows.map((r) => ({ ...r, status: EXPIRED })),
      now,
    );
  });
}
