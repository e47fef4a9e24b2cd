import type { Expression, SqlBool } from "kysely";
import { typed } from "../../db/kysely.js";
import { type KeyRow, type Succession, successorsOf, successorsWhere } from "../../db/queries/api-key.js";
import { type ScopeGrant, scopeGrantsOf, scopeGrantsWhere } from "../../db/queries/api-key-scope-grant.js";
import type { SqlClient } from "../../db/sql.js";
import type { ApiKeyScope, ApiKeyStatus } from "../../types/enums.js";
import type { JsonObject } from "../../types/common.js";
import type { ApiKeyEnvironment, ApiKeyInfo } from "../../types/integration/api.types.js";

export type { KeyRow } from "../../db/queries/api-key.js";

/**
 * The status a key has now. `keys expire` writes EXPIRED for good, but a key past its expiry (or
 * its rotation grace) is expired whether or not that has run yet.
 */
export function effectiveStatus(
  status: ApiKeyStatus,
  expiresAt: Date | null,
  graceEndsAt: Date | null,
  now: Date,
): ApiKeyStatus {
  if (status !== "ACTIVE" && status !== "ROTATING") return status;
  if (expiresAt && expiresAt <= now) return "EXPIRED";
  if (status === "ROTATING" && graceEndsAt && graceEndsAt <= now) return "EXPIRED";
  return status;
}

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

export function toKeyInfo(row: KeyRow, scopes: ApiKeyScope[], rotatedToId: string | null, now: Date): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    environment: row.environment as ApiKeyEnvironment,
    start: row.start,
    end: row.end,
    formatVersion: row.formatVersion,
    status: effectiveStatus(row.status, row.expiresAt, row.graceEndsAt, now),
    scopes: scopes.length > 1 ? [...scopes].sort() : scopes,
    ownerId: row.ownerId,
    metadata: (row.metadata ?? null) as JsonObject | null,
    expiresAt: iso(row.expiresAt),
    graceEndsAt: iso(row.graceEndsAt),
    revokedAt: iso(row.revokedAt),
    revokedReason: row.revokedReason,
    lastUsedAt: iso(row.lastUsedAt),
    useCount: row.useCount,
    rotatedFromId: row.rotatedFromId,
    rotatedToId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function byKey(grants: ScopeGrant[], ids: readonly string[] = []): Map<string, ApiKeyScope[]> {
  const out = new Map<string, ApiKeyScope[]>(ids.map((id) => [id, []]));
  for (const { apiKeyId, scope } of grants) {
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
  return byKey(await scopeGrantsOf(typed(sql), ids), ids);
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
