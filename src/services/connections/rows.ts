import { NotFoundError, UsageError } from "../../cli/errors.js";
import { col, type SqlClient } from "../../db/sql.js";
import type { JsonObject } from "../../types/common.js";
import type { IntegrationConnectionStatus, IntegrationEnvironment } from "../../types/enums.js";
import type { IntegrationConnectionInfo } from "../../types/integration/integration.types.js";
import { PROVIDER_COLUMNS, type ProviderRow } from "../providers/rows.js";
import { toSecretInfo, type SecretRow } from "../secrets/rows.js";

// What the connection services share: the row joined with its provider and credential (never the
// ciphertext), its view, and finding connections.

export const CONNECTION_COLUMNS = `c."id", c."providerId", c."name", c."environment", c."status", c."config", c."credentialSecretId", c."rateLimitPerMinute", c."lastCheckedAt", c."lastHealthyAt", c."disabledAt", c."configMac", c."createdAt", c."updatedAt"`;
const SECRET = `s."name" AS "secretName", s."tokenType" AS "secretTokenType", s."masterKeyId" AS "secretMasterKeyId", s."expiresAt" AS "secretExpiresAt", s."rotatedAt" AS "secretRotatedAt", s."createdAt" AS "secretCreatedAt", s."updatedAt" AS "secretUpdatedAt"`;
// The provider's columns come back prefixed, so they never shadow the connection's.
const PROVIDER = PROVIDER_COLUMNS.split(", ").map((c) => `${c} AS "p_${/"(\w+)"$/.exec(c)![1]}"`).join(", ");
export const CONNECTION_FROM = `"IntegrationConnection" c JOIN "IntegrationProvider" p ON p."id" = c."providerId" LEFT JOIN "IntegrationSecret" s ON s."id" = c."credentialSecretId"`;
export const CONNECTION_SELECT = `SELECT ${CONNECTION_COLUMNS}, ${SECRET}, ${PROVIDER} FROM ${CONNECTION_FROM}`;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function validateConnectionName(name: string): string {
  if (!NAME.test(name)) throw new UsageError(`Invalid connection name "${name}".`, "Use 1-100 letters, digits and . _ -, starting with a letter or digit.", "INVALID_NAME");
  return name;
}

export type ConnectionRow = Record<string, unknown> & {
  id: string;
  name: string;
  environment: IntegrationEnvironment;
  status: IntegrationConnectionStatus;
  credentialSecretId: string | null;
};

/** The provider half of a joined row, as the provider services read it. */
export function providerOf(row: ConnectionRow): ProviderRow {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (k.startsWith("p_")) out[k.slice(2)] = v;
  return out as unknown as ProviderRow;
}

export function connectionConfig(row: ConnectionRow): JsonObject | null {
  return row.config === null || row.config === undefined ? null : col.json<JsonObject>(row.config);
}

export function effectiveRateLimit(row: ConnectionRow): number | null {
  const own = row.rateLimitPerMinute ?? row.p_rateLimitPerMinute;
  return own === null || own === undefined ? null : col.int(own);
}

export function toConnectionView(row: ConnectionRow): IntegrationConnectionInfo {
  const p = providerOf(row);
  const secret: SecretRow | null = row.credentialSecretId
    ? {
        id: row.credentialSecretId,
        name: String(row.secretName),
        tokenType: row.secretTokenType as SecretRow["tokenType"],
        masterKeyId: String(row.secretMasterKeyId),
        // toSecretInfo takes the typed layer's row: Dates, while this row is still read as SQL text.
        expiresAt: col.dateOrNull(row.secretExpiresAt),
        rotatedAt: col.dateOrNull(row.secretRotatedAt),
        createdAt: col.date(row.secretCreatedAt),
        updatedAt: col.date(row.secretUpdatedAt),
      }
    : null;
  return {
    id: row.id,
    name: row.name,
    provider: { id: p.id, slug: p.slug, name: p.name, category: p.category, status: p.status },
    environment: row.environment,
    status: row.status,
    config: connectionConfig(row),
    credential: secret ? toSecretInfo(secret) : null,
    rateLimitPerMinute: effectiveRateLimit(row),
    lastCheckedAt: col.iso(row.lastCheckedAt),
    lastHealthyAt: col.iso(row.lastHealthyAt),
    disabledAt: col.iso(row.disabledAt),
    createdAt: col.iso(row.createdAt)!,
    updatedAt: col.iso(row.updatedAt)!,
  };
}

export async function findConnectionRow(sql: SqlClient, id: string): Promise<ConnectionRow> {
  const row = await sql.get<ConnectionRow>(`${CONNECTION_SELECT} WHERE c."id" = ?`, [id]);
  if (!row) throw new NotFoundError(`There is no connection "${id}".`, "See the connections with: intg connections list", "CONNECTION_NOT_FOUND");
  return row;
}

export interface ConnectionFilter {
  ids?: string[];
  environments?: IntegrationEnvironment[];
  /** Provider slugs or ids. */
  providers?: string[];
  statuses?: IntegrationConnectionStatus[];
}

export async function findConnectionRows(sql: SqlClient, filter: ConnectionFilter = {}): Promise<ConnectionRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const anyOf = (column: string, values: readonly string[] | undefined) => {
    if (!values?.length) return;
    where.push(`${column} IN (${values.map(() => "?").join(",")})`);
    params.push(...values);
  };
  anyOf(`c."id"`, filter.ids);
  anyOf(`c."environment"`, filter.environments);
  anyOf(`c."status"`, filter.statuses);
  if (filter.providers?.length) {
    where.push(`(p."slug" IN (${filter.providers.map(() => "?").join(",")}) OR p."id" IN (${filter.providers.map(() => "?").join(",")}))`);
    params.push(...filter.providers, ...filter.providers);
  }
  return sql.all<ConnectionRow>(`${CONNECTION_SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY c."id"`, params);
}

export async function listConnections(ctx: { sql: SqlClient }, filter: ConnectionFilter = {}): Promise<IntegrationConnectionInfo[]> {
  return (await findConnectionRows(ctx.sql, filter)).map(toConnectionView);
}

export async function showConnection(ctx: { sql: SqlClient }, id: string): Promise<IntegrationConnectionInfo> {
  return toConnectionView(await findConnectionRow(ctx.sql, id));
}
