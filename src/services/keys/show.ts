import { NotFoundError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { findKeyRowById, type KeyRow } from "../../db/queries/api-key.js";
import type { SqlClient } from "../../db/sql.js";
import type { ApiKeyInfo } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { keyInfos } from "./views.js";

export async function findKeyRow(sql: SqlClient, id: string): Promise<KeyRow> {
  const row = await findKeyRowById(typed(sql), id);
  if (!row) throw new NotFoundError(`No API key ${id}.`, "List keys with: intg keys list", "KEY_NOT_FOUND");
  return row;
}

export async function showKey(ctx: ServiceContext, input: { id: string }): Promise<ApiKeyInfo> {
  const row = await findKeyRow(ctx.sql, input.id);
  return (await keyInfos(ctx.sql, [row], ctx.now()))[0]!;
}
