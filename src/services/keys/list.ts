import type { ApiKeyFilter, ApiKeyInfo } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { whereKeys } from "./filter.js";
import { KEY_COLUMNS, keyInfos, type KeyRow } from "./views.js";

/** Keys matching the filter, newest first. Plain SQL: `keys list` is a cold-start benchmark. */
export async function listKeys(ctx: ServiceContext, filter: ApiKeyFilter): Promise<ApiKeyInfo[]> {
  const now = ctx.now();
  const { where, params } = whereKeys(filter, now);
  const rows = await ctx.sql.all<KeyRow>(`SELECT ${KEY_COLUMNS} FROM "ApiKey" k WHERE ${where} ORDER BY k."id" DESC`, params);
  return keyInfos(ctx.sql, rows, now);
}
