import type { ApiKeyFilter, ApiKeyInfo } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { whereKeys } from "./filter.js";
import { KEY_COLUMNS, keyRowFromArray, relationsWhere, toKeyInfo } from "./views.js";

/** Keys matching the filter, newest first. Plain SQL: `keys list` is a cold-start benchmark. */
export async function listKeys(ctx: ServiceContext, filter: ApiKeyFilter): Promise<ApiKeyInfo[]> {
  const keys: ApiKeyInfo[] = [];
  for await (const key of streamKeys(ctx, filter)) keys.push(key);
  return keys;
}

/**
 * The same keys one at a time, for output that need not hold them all: each row becomes its view
 * and can be written and dropped, so a list of any length runs in little memory (and little
 * garbage collection, which dominated a 1,000-key list).
 */
export async function* streamKeys(ctx: ServiceContext, filter: ApiKeyFilter): AsyncGenerator<ApiKeyInfo> {
  const now = ctx.now();
  const { where, params } = whereKeys(filter, now);
  const relations = await relationsWhere(ctx.sql, where, params);
  // Arrays, not objects, from the driver: better-sqlite3 builds wide objects slowly.
  for await (const values of ctx.sql.iterate(`SELECT ${KEY_COLUMNS} FROM "ApiKey" k WHERE ${where} ORDER BY k."id" DESC`, params)) {
    const row = keyRowFromArray(values);
    yield toKeyInfo(row, relations.scopes.get(row.id) ?? [], relations.successors.get(row.id) ?? null, now);
  }
}
