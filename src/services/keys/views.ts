import type { Expression, SqlBool } from "kysely";
import { typed } from "../../db/kysely.js";
import { type KeyRow, type KeyText, type Succession, successorsOf, successorsWhere } from "../../db/queries/api-key.js";
import { scopeGrantsOf, scopeGrantsWhere } from "../../db/queries/api-key-scope-grant.js";
import type { SqlClient } from "../../db/sql.js";
import type { ApiKeyScope } from "../../types/enums.js";
import { effectiveStatus } from "./status.js";
import type { JsonObject } from "../../types/common.js";
import type { ApiKeyEnvironment, ApiKeyInfo } from "../../types/integration/api.types.js";

export type { KeyRow } from "../../db/queries/api-key.js";

export { effectiveStatus } from "./status.js";

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;
const dateOf = (text: string | null): Date | null => (text === null ? null : new Date(text));

/** A key's row with its dates as views print them. */
const textOf = (row: KeyRow): KeyText => ({
  ...row,
  expiresAt: iso(row.expiresAt),
  graceEndsAt: iso(row.graceEndsAt),
  revokedAt: iso(row.revokedAt),
  lastUsedAt: iso(row.lastUsedAt),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export function toKeyInfo(row: KeyRow, scopes: ApiKeyScope[], rotatedToId: string | null, now: Date): ApiKeyInfo {
  return infoOf(textOf(row), scopes, rotatedToId, now);
}

function infoOf(row: KeyText, scopes: ApiKeyScope[], rotatedToId: string | null, now: Date): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    environment: row.environment as ApiKeyEnvironment,
    start: row.start,
    end: row.end,
    formatVersion: row.formatVersion,
    status: effectiveStatus(row.status, dateOf(row.expiresAt), dateOf(row.graceEndsAt), now),
    scopes: scopes.length > 1 ? [...scopes].sort() : scopes,
    ownerId: row.ownerId,
    metadata: (row.metadata ?? null) as JsonObject | null,
    expiresAt: row.expiresAt,
    graceEndsAt: row.graceEndsAt,
    revokedAt: row.revokedAt,
    revokedReason: row.revokedReason,
    lastUsedAt: row.lastUsedAt,
    useCount: row.useCount,
    rotatedFromId: row.rotatedFromId,
    rotatedToId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function byKey(
  grants: Iterable<readonly [string, ApiKeyScope]>,
  ids: readonly string[] = [],
): Map<string, ApiKeyScope[]> {
  const out = new Map<string, ApiKeyScope[]>(ids.map((id) => [id, []]));
  for (const [apiKeyId, scope] of grants) {
    const list = out.get(apiKeyId);
    if (list) list.push(scope);
    else out.set(apiKeyId, [scope]);
  }
  return out;
}

function successorMap(rows: Succession[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of rows) out.set(r.rotatedFromId!, r.id);
  return out;
}

/** Scopes of many keys, a query per 500 keys. */
export async function scopesOf(sql: SqlClient, ids: string[]): Promise<Map<string, ApiKeyScope[]>> {
  const grants = await scopeGrantsOf(typed(sql), ids);
  return byKey(
    grants.map((g) => [g.apiKeyId, g.scope] as const),
    ids,
  );
}

/** What a key's view needs beyond its row: its scopes and the key that replaced it. */
export interface KeyRelations {
  scopes: Map<string, ApiKeyScope[]>;
  successors: Map<string, string>;
}

/** The relations of every key a condition (queries/api-key.ts: keyFilter) selects, in two joins. */
export async function relationsWhere(sql: SqlClient, where: Expression<SqlBool>): Promise<KeyRelations> {
  const db = typed(sql);
  const scopes = byKey(await scopeGrantsWhere(db, where));
  return { scopes, successors: successorMap(await successorsWhere(db, where)) };
}

export async function keyInfos(
  sql: SqlClient,
  rows: KeyRow[],
  now: Date,
  relations?: KeyRelations,
): Promise<ApiKeyInfo[]> {
  const ids = rows.map((r) => r.id);
  const scopes = relations?.scopes ?? (await scopesOf(sql, ids));
  // Successors by the unique index on rotatedFromId, rather than a subquery per row.
  const successors = relations?.successors ?? successorMap(await successorsOf(typed(sql), ids));
  return rows.map((r) => toKeyInfo(r, scopes.get(r.id) ?? [], successors.get(r.id) ?? null, now));
}

/** The views of keys read with their dates as text (keyTextsWhere), with their relations. */
export function keyTextInfos(rows: KeyText[], now: Date, relations: KeyRelations): ApiKeyInfo[] {
  const { scopes, successors } = relations;
  return rows.map((r) => infoOf(r, scopes.get(r.id) ?? [], successors.get(r.id) ?? null, now));
}
