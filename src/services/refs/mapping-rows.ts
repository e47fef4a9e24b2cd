import { NotFoundError } from "../../errors.js";
import { col, type SqlClient } from "../../db/sql.js";
import type { IntegrationMappingInfo } from "../../types/integration/external-reference.types.js";

export const MAPPING_COLUMNS = `m."id", m."name", m."providerId", m."connectionId", m."entityType", m."externalType", m."fieldMappings", m."transformationRules", m."validationRules", m."syncPreferences", m."createdAt", m."updatedAt"`;

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
  const row = await sql.get<Record<string, unknown>>(`SELECT ${MAPPING_COLUMNS} FROM "IntegrationMapping" m WHERE m."id" = ? OR m."name" = ?`, [idOrName, idOrName]);
  if (!row) throw new NotFoundError(`No mapping ${idOrName}.`, "List mappings with: intg refs mappings list", "MAPPING_NOT_FOUND");
  return toMapping(row);
}

export async function listMappings(sql: SqlClient, filter: { providerId: string | null }): Promise<IntegrationMappingInfo[]> {
  const where = filter.providerId ? `WHERE m."providerId" = ?` : "";
  const rows = await sql.all<Record<string, unknown>>(`SELECT ${MAPPING_COLUMNS} FROM "IntegrationMapping" m ${where} ORDER BY m."name"`, filter.providerId ? [filter.providerId] : []);
  return rows.map(toMapping);
}

/** A provider by id or slug. */
export async function resolveProvider(sql: SqlClient, idOrSlug: string): Promise<{ id: string; slug: string }> {
  const row = await sql.get<{ id: string; slug: string }>(`SELECT "id", "slug" FROM "IntegrationProvider" WHERE "id" = ? OR "slug" = ?`, [idOrSlug, idOrSlug]);
  if (!row) throw new NotFoundError(`No provider ${idOrSlug}.`, "List providers with: intg providers list", "PROVIDER_NOT_FOUND");
  return row;
}
