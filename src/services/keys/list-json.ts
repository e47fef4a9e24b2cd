import { keysJsonWhere } from "../../db/queries/api-key-json.js";
import { preparedDb } from "../../db/prepared-run.js";
import type { ApiKeyFilter } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";

// `keys list --json` (a cold-start benchmark): on SQLite the database writes the list, and a list
// of every key loads no Kysely at all (api-key-json.ts). A filter, PostgreSQL, or rows SQLite would
// print otherwise load the query builder and the views (list.ts) when they are needed.

/** Whether the filter selects every key. */
const everyKey = (filter: ApiKeyFilter) =>
  Object.values(filter).every((v) => !v || (Array.isArray(v) && v.length === 0)); // as keyFilter reads it

/** The keys a filter selects, newest first, as the compact JSON of their views (listKeys, serialised). */
export async function listKeysJson(ctx: ServiceContext, filter: ApiKeyFilter): Promise<string> {
  if (ctx.sql.provider === "sqlite") {
    const now = ctx.now();
    const text = everyKey(filter)
      ? await keysJsonWhere(preparedDb(ctx.sql), null, now)
      : await filtered(ctx, filter, now);
    if (text !== null) return text;
  }
  const { listKeys } = await import("./list.js");
  return JSON.stringify(await listKeys(ctx, filter));
}

async function filtered(ctx: ServiceContext, filter: ApiKeyFilter, now: Date): Promise<string | null> {
  const [{ typed }, { keyFilter }] = await Promise.all([
    import("../../db/kysely.js"),
    import("../../db/queries/api-key-filter.js"),
  ]);
  return keysJsonWhere(typed(ctx.sql), keyFilter(filter, now), now);
}
