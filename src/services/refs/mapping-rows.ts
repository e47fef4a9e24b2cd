import { NotFoundError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { mappingByIdOrName, mappingRows, type MappingRow } from "../../db/queries/integration-mapping.js";
import { providerByIdOrSlug } from "../../db/queries/integration-provider.js";
import { col, type SqlClient } from "../../db/sql.js";
import type { IntegrationMappingInfo } from "../../types/integration/external-reference.types.js";
import type { ServiceContext } from "../context.js";

type Info = IntegrationMappingInfo;

/** The view of a mapping read through the typed layer (Json columns arrive parsed). */
export function mappingView(r: MappingRow): IntegrationMappingInfo {
  return {
    id: r.id,
    name: r.name,
    providerId: r.providerId,
    connectionId: r.connectionId,
    entityType: r.entityType,
    externalType: r.externalType,
    fieldMappings: r.fieldMappings as Info["fieldMappings"],
    transformationRules: r.transformationRules as Info["transformationRules"],
    validationRules: r.validationRules as Info["validationRules"],
    syncPreferences: (r.syncPreferences ?? null) as Info["syncPreferences"],
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

// For the sync's plan (services/sync/setup.ts), which still reads its mapping with string SQL:
// the driver's own forms, converted here. Typed reads use mappingView.
export const MAPPING_COLUMNS =
  `m."id", m."name", m."providerId", m."connectionId", m."entityType", m."externalType", m."fieldMappings", ` +
  `m."transformationRules", m."validationRules", m."syncPreferences", m."createdAt", m."updatedAt"`;
export function toMapping(r: Record<string, unknown>): IntegrationMappingInfo {
  return {
    id: r.id as string,
    name: r.name as string,
    providerId: r.providerId as string,
    connectionId: (r.connectionId as string | null) ?? null,
    entityType: r.entityType as string,
    externalType: r.externalType as string,
    fieldMappings: col.json(r.fieldMappings),
    transformationRules: col.json(r.transformationRules),
    validationRules: col.json(r.validationRules),
    syncPreferences: r.syncPreferences === null || r.syncPreferences === undefined ? null : col.json(r.syncPreferences),
    createdAt: col.iso(r.createdAt)!,
    updatedAt: col.iso(r.updatedAt)!,
  };
}

/** A mapping by its id (map_…) or its name. */
export async function findMapping(sql: SqlClient, idOrName: string): Promise<IntegrationMappingInfo> {
  const row = await mappingByIdOrName(typed(sql), idOrName);
  if (!row)
    throw new NotFoundError(
      `No mapping ${idOrName}.`,
      "List mappings with: intg refs mappings list",
      "MAPPING_NOT_FOUND",
    );
  return mappingView(row);
}

export async function listMappings(
  sql: SqlClient,
  filter: { providerId: string | null },
): Promise<IntegrationMappingInfo[]> {
  return (await mappingRows(typed(sql), filter.providerId)).map(mappingView);
}

/** A provider by id or slug. */
export async function resolveProvider(sql: SqlClient, idOrSlug: string): Promise<{ id: string; slug: string }> {
  const row = await providerByIdOrSlug(typed(sql), idOrSlug);
  if (!row)
    throw new NotFoundError(
      `No provider ${idOrSlug}.`,
      "List providers with: intg providers list",
      "PROVIDER_NOT_FOUND",
    );
  return row;
}

/** `refs mappings show`: one mapping by id or name. */
export function showMapping(ctx: Pick<ServiceContext, "sql">, input: { idOrName: string }): Promise<Info> {
  return findMapping(ctx.sql, input.idOrName);
}

/** `refs mappings list`: every mapping, or one provider's (given by id or slug). */
export async function listMappingsOf(
  ctx: Pick<ServiceContext, "sql">,
  input: { provider: string | null },
): Promise<Info[]> {
  const providerId = input.provider === null ? null : (await resolveProvider(ctx.sql, input.provider)).id;
  return listMappings(ctx.sql, { providerId });
}
