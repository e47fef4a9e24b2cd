import type { ApiKeyInfo } from "../../types/integration/api.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { whereKeys } from "./filter.js";
import { KEY_COLUMNS, keyInfos, type KeyRow } from "./views.js";

/**
 * Marks EXPIRED every key past its expiry or its rotation grace that is not marked yet. Safe to run
 * from cron as often as wanted: a second run finds nothing.
 */
export async function expireKeys(ctx: ServiceContext): Promise<ApiKeyInfo[]> {
  const now = ctx.now();
  const { where, params } = whereKeys({ status: ["EXPIRED"] }, now);
  return ctx.sql.transaction(async (tx) => {
    const rows = await tx.all<KeyRow>(`SELECT ${KEY_COLUMNS} FROM "ApiKey" k WHERE ${where} AND k."status" <> 'EXPIRED' ORDER BY k."id"`, params);
    for (const row of rows) {
      await tx.run(`UPDATE "ApiKey" SET "status" = 'EXPIRED', "updatedAt" = ? WHERE "id" = ?`, [now, row.id]);
      await recordAudit({ ...ctx, sql: tx }, { action: "key.expire", targetType: "api_key", targetId: row.id, metadata: { previousStatus: row.status } });
    }
    return keyInfos(tx, rows.map((r) => ({ ...r, status: "EXPIRED" as const })), now);
  });
}
