import { typed } from "../../db/kysely.js";
import { keyTextsWhere } from "../../db/queries/api-key.js";
import { keyFilter } from "../../db/queries/api-key-filter.js";
import type { ApiKeyFilter, ApiKeyInfo } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { keyTextInfos, relationsWhere } from "./views.js";

/** Keys matching the filter, newest first. `keys list` is a cold-start benchmark: three statements in all. */
export async function listKeys(ctx: ServiceContext, filter: ApiKeyFilter): Promise<ApiKeyInfo[]> {
  const now = ctx.now();
  const where = keyFilter(filter, now);
  const rows = await keyTextsWhere(typed(ctx.sql), where, "desc");
  return keyTextInfos(rows, now, await relationsWhere(ctx.sql, where));
}
