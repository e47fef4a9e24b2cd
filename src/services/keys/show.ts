import { NotFoundError } from "../../errors.js";
import type { SqlClient } from "../../db/sql.js";
import type { ApiKeyInfo } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { KEY_COLUMNS, keyInfos, type KeyRow } from "./views.js";

export async function findKeyRow(sql: SqlClient, id: string): Promise<KeyRow> {
  const row = await sql.get<KeyRow>(`SELECT ${KEY_COLUMNS} FROM "ApiKey" k WHERE k."id" = ?`, [id]);
  if (!row) throw new NotFoundError(`No API key ${id}.`, "List keys with: intg keys list", "KEY_NOT_FOUND");
  return row;
}

export async function showKey(ctx: ServiceContext, input: { id: string }): Promise<ApiKeyInfo> {
  const row = await findKeyRow(ctx.sql, input.id);
  return (await keyInfos(ctx.sql, [row], ctx.now()))[0]!;
}
