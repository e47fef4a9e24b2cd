import { NotFoundError } from "../../errors.js";
import { col, type SqlClient } from "../../db/sql.js";
import type { JsonObject } from "../../types/common.js";
import type { AuthenticationType, IntegrationCategory, IntegrationProviderStatus } from "../../types/enums.js";
import type { ApiAuthConfig, PaginationStyle } from "../../types/integration/api.types.js";
import type { IntegrationProviderExtended } from "../../types/integration/integration.types.js";
import { CREDENTIAL_TOKEN_TYPE } from "./connector.js";
import type { ProviderDefinition } from "./definition.js";

// What the provider services share: the row, its view, the definition it round-trips to, and
// finding a provider by id or slug.

export const PROVIDER_COLUMNS = `p."id", p."slug", p."name", p."category", p."status", p."baseUrl", p."authType", p."healthCheckMethod", p."healthCheckPath", p."healthCheckExpectedStatus", p."rateLimitPerMinute", p."paginationStyle", p."docsUrl", p."config", p."templateName", p."configMac", p."createdAt", p."updatedAt"`;
const COUNT = `(SELECT COUNT(*) FROM "IntegrationConnection" c WHERE c."providerId" = p."id") AS "connectionCount"`;

export interface ProviderRow {
  id: string;
  slug: string;
  name: string;
  category: IntegrationCategory;
  status: IntegrationProviderStatus;
  baseUrl: string;
  authType: AuthenticationType;
  healthCheckMethod: string;
  healthCheckPath: string;
  healthCheckExpectedStatus: number | string;
  rateLimitPerMinute: number | string | null;
  paginationStyle: string | null;
  docsUrl: string | null;
  config: unknown;
  templateName: string | null;
  configMac?: string | null;
  createdAt: unknown;
  updatedAt: unknown;
  connectionCount?: unknown;
}

interface StoredConfig {
  auth?: Record<string, unknown>;
  allowPrivateNetwork?: boolean;
  [key: string]: unknown;
}

export function storedConfig(row: Pick<ProviderRow, "config">): StoredConfig {
  return row.config === null || row.config === undefined ? {} : col.json<StoredConfig>(row.config);
}

export function authOf(row: Pick<ProviderRow, "authType" | "config">): ApiAuthConfig {
  return { ...(storedConfig(row).auth ?? {}), type: row.authType } as ApiAuthConfig;
}

export function allowsPrivateNetwork(row: Pick<ProviderRow, "config">): boolean {
  return storedConfig(row).allowPrivateNetwork === true;
}

export function toProviderView(row: ProviderRow): IntegrationProviderExtended {
  const { auth: _auth, ...rest } = storedConfig(row);
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    category: row.category,
    status: row.status,
    baseUrl: row.baseUrl,
    docsUrl: row.docsUrl,
    templateName: row.templateName,
    config: Object.keys(rest).length ? (rest as JsonObject) : null,
    connector: {
      auth: authOf(row),
      credentialTokenType: CREDENTIAL_TOKEN_TYPE[row.authType],
      healthCheck: { method: row.healthCheckMethod, path: row.healthCheckPath, expectedStatus: col.int(row.healthCheckExpectedStatus) },
      paginationStyle: row.paginationStyle as PaginationStyle | null,
      rateLimitPerMinute: row.rateLimitPerMinute === null ? null : col.int(row.rateLimitPerMinute),
    },
    connectionCount: col.int(row.connectionCount ?? 0),
    createdAt: col.date(row.createdAt).toISOString(),
    updatedAt: col.date(row.updatedAt).toISOString(),
  };
}

/** The view as the file format `providers export` writes and `import` reads back. */
export function toDefinition(p: IntegrationProviderExtended): ProviderDefinition {
  return {
    slug: p.slug,
    name: p.name,
    category: p.category,
    status: p.status,
    baseUrl: p.baseUrl,
    docsUrl: p.docsUrl,
    auth: p.connector.auth,
    healthCheck: { method: p.connector.healthCheck.method, path: p.connector.healthCheck.path, expectedStatus: p.connector.healthCheck.expectedStatus ?? 200 },
    rateLimitPerMinute: p.connector.rateLimitPerMinute,
    paginationStyle: p.connector.paginationStyle,
    allowPrivateNetwork: p.config?.allowPrivateNetwork === true,
    templateName: p.templateName,
    // Only when declared, so the export of a provider without resources is as it always was.
    ...(p.config?.resources ? { resources: p.config.resources as ProviderDefinition["resources"] } : {}),
  };
}

export async function findProviderRow(sql: SqlClient, ref: string): Promise<ProviderRow> {
  const row = await sql.get<ProviderRow>(`SELECT ${PROVIDER_COLUMNS}, ${COUNT} FROM "IntegrationProvider" p WHERE p."id" = ? OR p."slug" = ?`, [ref, ref]);
  if (!row) throw new NotFoundError(`There is no provider "${ref}".`, "See the providers with: intg providers list", "PROVIDER_NOT_FOUND");
  return row;
}

export async function showProvider(ctx: { sql: SqlClient }, ref: string): Promise<IntegrationProviderExtended> {
  return toProviderView(await findProviderRow(ctx.sql, ref));
}

export interface ProviderFilter {
  status?: IntegrationProviderStatus;
  category?: IntegrationCategory;
}

export async function listProviders(ctx: { sql: SqlClient }, filter: ProviderFilter = {}): Promise<IntegrationProviderExtended[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status) where.push(`p."status" = ?`) && params.push(filter.status);
  if (filter.category) where.push(`p."category" = ?`) && params.push(filter.category);
  const rows = await ctx.sql.all<ProviderRow>(
    `SELECT ${PROVIDER_COLUMNS}, ${COUNT} FROM "IntegrationProvider" p ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY p."slug"`,
    params,
  );
  return rows.map(toProviderView);
}
