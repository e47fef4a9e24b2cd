import { UsageError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { mappingForSync } from "../../db/queries/integration-mapping.js";
import type { SqlClient } from "../../db/sql.js";
import type { IntegrationMappingInfo } from "../../types/integration/external-reference.types.js";
import { findConnectionRow } from "../connections/rows.js";
import { storedConfig } from "../providers/rows.js";
import { resolveConnection } from "../refs/connections.js";
import { toMapping } from "../refs/mapping-rows.js";
import { ResourceSchema, type Pagination, type SyncResource } from "./resource.js";

// Everything a sync needs before it writes anything: the connection, the declared resource, its
// pagination style and the mapping. Each gap is a usage error (exit 2) that says how to fill it.

export interface SyncPlan {
  connectionId: string;
  providerSlug: string;
  baseUrl: string;
  resourceName: string;
  resource: SyncResource;
  style: Pagination;
  mapping: IntegrationMappingInfo;
}

export async function planSync(sql: SqlClient, connection: string, resourceName: string): Promise<SyncPlan> {
  const { id } = await resolveConnection(sql, connection);
  const row = await findConnectionRow(sql, id);
  const provider = row.provider;
  const declared = (storedConfig(provider).resources ?? {}) as Record<string, unknown>;
  if (!Object.hasOwn(declared, resourceName)) {
    const known = Object.keys(declared);
    throw new UsageError(
      `The provider ${provider.slug} declares no resource "${resourceName}"${known.length ? ` (it has: ${known.join(", ")})` : ""}.`,
      "Declare it under resources in the provider's definition and load it with: intg providers import <file>",
      "UNKNOWN_RESOURCE",
    );
  }
  const parsed = ResourceSchema.safeParse(declared[resourceName]);
  if (!parsed.success)
    throw new UsageError(
      `The resource ${resourceName} of ${provider.slug} is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}.`,
      undefined,
      "INVALID_RESOURCE",
    );
  const resource = parsed.data;
  const style = resource.pagination ?? (provider.paginationStyle as Pagination | null);
  if (!style)
    throw new UsageError(
      `Neither the resource ${resourceName} nor the provider ${provider.slug} says how it paginates.`,
      "Set pagination (page, cursor or link) on the resource, or --pagination on the provider.",
      "NO_PAGINATION",
    );
  // The connection's own mapping wins over the provider-wide one.
  const mappingRow = await mappingForSync(typed(sql), provider.id, resource.externalType, id);
  if (!mappingRow)
    throw new UsageError(
      `No mapping for ${resource.externalType} records of ${provider.slug}.`,
      `Create one with: intg refs mappings set --provider ${provider.slug} --external-type ${resource.externalType} …`,
      "NO_MAPPING",
    );
  return {
    connectionId: id,
    providerSlug: provider.slug,
    baseUrl: provider.baseUrl,
    resourceName,
    resource,
    style,
    mapping: toMapping(mappingRow),
  };
}
