import type { ApiKeyFilter, ApiKeyInfo } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { whereKeys } from "./filter.js";
import { KEY_COLUMNS, keyInfos, keyRowFromArray, relationsWhere } from "./views.js";

/** Keys matching the filter, newest first. Plain SQL: `keys list` is a cold-start benchmark. */
export async function listKeys(ctx: ServiceContext, filter: ApiKeyFilter): Promise<ApiKeyInfo[]> {
  const now = ctx.now();
  const { where, params } = whereKeys(filter, now);
  // Arrays, not objects, from the driver: a list can hold thousands of keys.
  const rows = (await ctx.sql.rows(`SELECT ${KEY_COLUMNS} FROM "ApiKey" k WHERE ${where} ORDER BY k."id" DESC`, params)).map(keyRowFromArray);
  return keyInfos(ctx.sql, rows, now, await relationsWhere(ctx.sql, where, params));
}
