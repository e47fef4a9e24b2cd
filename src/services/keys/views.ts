import { col, type SqlClient } from "../../db/sql.js";
import type { ApiKeyScope, ApiKeyStatus } from "../../types/enums.js";
import type { JsonObject } from "../../types/common.js";
import type { ApiKeyEnvironment, ApiKeyInfo } from "../../types/integration/api.types.js";

// Every read of ApiKey goes through these columns: the hash is never selected for a view.
export const KEY_COLUMNS = `k."id", k."name", k."prefix", k."environment", k."start", k."end", k."formatVersion", k."status", k."ownerId", k."metadata", k."expiresAt", k."graceEndsAt", k."revokedAt", k."revokedReason", k."lastUsedAt", k."useCount", k."rotatedFromId", k."createdAt", k."updatedAt"`;

export type KeyRow = Record<string, unknown> & { id: string; status: ApiKeyStatus };

const COLUMN_NAMES = [...KEY_COLUMNS.matchAll(/k\."(\w+)"/g)].map((m) => m[1]!);

/** A row read with sql.rows() (an array in KEY_COLUMNS order) as a KeyRow. */
export function keyRowFromArray(values: unknown[]): KeyRow {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < COLUMN_NAMES.length; i++) row[COLUMN_NAMES[i]!] = values[i];
  return row as KeyRow;
}

/**
 * The status a key has now. `keys expire` writes EXPIRED for good, but a key past its expiry (or
 * its rotation grace) is expired whether or not that has run yet.
 */
export function effectiveStatus(status: ApiKeyStatus, expiresAt: Date | null, graceEndsAt: Date | null, now: Date): ApiKeyStatus {
  if (status !== "ACTIVE" && status !== "ROTATING") return status;
  if (expiresAt && expiresAt <= now) return "EXPIRED";
  if (status === "ROTATING" && graceEndsAt && graceEndsAt <= now) return "EXPIRED";
  return status;
}

const iso = col.iso;

export function toKeyInfo(row: KeyRow, scopes: ApiKeyScope[], rotatedToId: string | null, now: Date): ApiKeyInfo {
  const expiresAt = col.dateOrNull(row.expiresAt);
  const graceEndsAt = col.dateOrNull(row.graceEndsAt);
  return {
    id: row.id,
    name: String(row.name),
    prefix: String(row.prefix),
    environment: row.environment as ApiKeyEnvironment,
    start: String(row.start),
    end: String(row.end),
    formatVersion: col.int(row.formatVersion),
    status: effectiveStatus(row.status, expiresAt, graceEndsAt, now),
    scopes: scopes.length > 1 ? [...scopes].sort() : scopes,
    ownerId: (row.ownerId as string | null) ?? null,
    metadata: row.metadata === null || row.metadata === undefined ? null : col.json<JsonObject>(row.metadata),
    expiresAt: iso(row.expiresAt),
    graceEndsAt: iso(row.graceEndsAt),
    revokedAt: iso(row.revokedAt),
    revokedReason: (row.revokedReason as string | null) ?? null,
    lastUsedAt: iso(row.lastUsedAt),
    useCount: col.int(row.useCount),
    rotatedFromId: (row.rotatedFromId as string | null) ?? null,
    rotatedToId,
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
  };
}

/** Pairs from `SELECT a, b … WHERE <column> IN (…)` over many ids, in chunks under SQLite's parameter limit. */
async function pairsByIds(sql: SqlClient, select: string, ids: string[]): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const r of await sql.rows(`${select} IN (${chunk.map(() => "?").join(",")})`, chunk)) out.push([r[0] as string, r[1] as string]);
  }
  return out;
}

/** Scopes of many keys, a query per 500 keys. */
export async function scopesOf(sql: SqlClient, ids: string[]): Promise<Map<string, ApiKeyScope[]>> {
  const out = new Map<string, ApiKeyScope[]>(ids.map((id) => [id, []]));
  for (const [id, scope] of await pairsByIds(sql, `SELECT "apiKeyId", "scope" FROM "ApiKeyScopeGrant" WHERE "apiKeyId"`, ids)) {
    out.get(id)!.push(scope as ApiKeyScope);
  }
  return out;
}

/** What a key's view needs beyond its row: its scopes and the key that replaced it. */
export interface KeyRelations {
  scopes: Map<string, ApiKeyScope[]>;
  successors: Map<string, string>;
}

/**
 * The relations of every key a WHERE clause (over `k`) selects, in two joins: for a long list this
 * beats IN-lists of hundreds of ids, each of which SQLite must parse anew.
 */
export async function relationsWhere(sql: SqlClient, where: string, params: unknown[]): Promise<KeyRelations> {
  const scopes = new Map<string, ApiKeyScope[]>();
  for (const [id, scope] of await sql.rows(`SELECT g."apiKeyId", g."scope" FROM "ApiKeyScopeGrant" g JOIN "ApiKey" k ON k."id" = g."apiKeyId" WHERE ${where}`, params)) {
    const list = scopes.get(id as string);
    if (list) list.push(scope as ApiKeyScope);
    else scopes.set(id as string, [scope as ApiKeyScope]);
  }
  const successors = new Map((await sql.rows(`SELECT n."rotatedFromId", n."id" FROM "ApiKey" n JOIN "ApiKey" k ON k."id" = n."rotatedFromId" WHERE ${where}`, params)) as [string, string][]);
  return { scopes, successors };
}

export async function keyInfos(sql: SqlClient, rows: KeyRow[], now: Date, relations?: KeyRelations): Promise<ApiKeyInfo[]> {
  const ids = rows.map((r) => r.id);
  const scopes = relations?.scopes ?? (await scopesOf(sql, ids));
  // Successors by the unique index on rotatedFromId, rather than a subquery per row.
  const successors = relations?.successors ?? new Map(await pairsByIds(sql, `SELECT "rotatedFromId", "id" FROM "ApiKey" WHERE "rotatedFromId"`, ids));
  return rows.map((r) => toKeyInfo(r, scopes.get(r.id) ?? [], successors.get(r.id) ?? null, now));
}
