import { NotFoundError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import {
  type CountedProviderRow,
  type ProviderRow,
  providerByRef,
  providerRows,
} from "../../db/queries/integration-provider.js";
import type { SqlClient } from "../../db/sql.js";
import type { JsonObject } from "../../types/common.js";
import type { IntegrationCategory, IntegrationProviderStatus } from "../../types/enums.js";
import type { ApiAuthConfig, PaginationStyle } from "../../types/integration/api.types.js";
import type { IntegrationProviderExtended } from "../../types/integration/integration.types.js";
import { CREDENTIAL_TOKEN_TYPE } from "./connector.js";
import type { ProviderDefinition } from "./definition.js";

// What the provider services share: the row, its view, the definition it round-trips to, and
// finding a provider by id or slug.

export type { CountedProviderRow, ProviderRow };

/** The columns for a hand-written read of providers (the integrity tests); intg reads them typed. */
export const PROVIDER_COLUMNS = `p."id", p."slug", p."name", p."category", p."status", p."baseUrl", p."authType", p."healthCheckMethod", p."healthCheckPath", p."healthCheckExpectedStatus", p."rateLimitPerMinute", p."paginationStyle", p."docsUrl", p."config", p."templateName", p."configMac", p."createdAt", p."updatedAt"`;

interface StoredConfig {
  auth?: Record<string, unknown>;
  allowPrivateNetwork?: boolean;
  [key: string]: unknown;
}

export function storedConfig(row: Pick<ProviderRow, "config">): StoredConfig {
  return (row.config ?? {}) as StoredConfig;
}

export function authOf(row: Pick<ProviderRow, "authType" | "config">): ApiAuthConfig {
  return { ...(storedConfig(row).auth ?? {}), type: row.authType } as ApiAuthConfig;
}

export function allowsPrivateNetwork(row: Pick<ProviderRow, "config">): boolean {
  return storedConfig(row).allowPrivateNetwork === true;
}

export function toProviderView(row: ProviderRow & { connectionCount?: number }): IntegrationProviderExtended {
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
      healthCheck: {
        method: row.healthCheckMethod,
        path: row.healthCheckPath,
        expectedStatus: row.healthCheckExpectedStatus,
      },
      paginationStyle: row.paginationStyle as PaginationStyle | null,
      rateLimitPerMinute: row.rateLimitPerMinute,
    },
    connectionCount: row.connectionCount ?? 0,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
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
    healthCheck: {
      method: p.connector.healthCheck.method,
      path: p.connector.healthCheck.path,
      expectedStatus: p.connector.healthCheck.expectedStatus ?? 200,
    },
    rateLimitPerMinute: p.connector.rateLimitPerMinute,
    paginationStyle: p.connector.paginationStyle,
    allowPrivateNetwork: p.config?.allowPrivateNetwork === true,
    templateName: p.templateName,
    // Only when declared, so the export of a provider without resources is as it always was.
    ...(p.config?.resources ? { resources: p.config.resources as ProviderDefinition["resources"] } : {}),
  };
}

export async function findProviderRow(sql: SqlClient, ref: string): Promise<CountedProviderRow> {
  const row = await providerByRef(typed(sql), ref);
  if (!row)
    throw new NotFoundError(
      `There is no provider "${ref}".`,
      "See the providers with: intg providers list",
      "PROVIDER_NOT_FOUND",
    );
  return row;
}

export async function showProvider(ctx: { sql: SqlClient }, ref: string): Promise<IntegrationProviderExtended> {
  return toProviderView(await findProviderRow(ctx.sql, ref));
}

export interface ProviderFilter {
  status?: IntegrationProviderStatus;
  category?: IntegrationCategory;
}

export async function listProviders(
  ctx: { sql: SqlClient },
  filter: ProviderFilter = {},
): Promise<IntegrationProviderExtended[]> {
  return (await providerRows(typed(ctx.sql), filter)).map(toProviderView);
}
