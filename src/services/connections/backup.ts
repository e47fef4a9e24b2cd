import { jsonText, typed } from "../../db/kysely.js";
import { allMappingRows, insertMappingRow } from "../../db/queries/integration-mapping.js";
import { allProviderRows } from "../../db/queries/integration-provider.js";
import type { SqlClient } from "../../db/sql.js";
import { sealWithPassphrase } from "../../lib/passphrase.js";
import type { IntegrationMappingInfo } from "../../types/integration/external-reference.types.js";
import type { IntegrationBackup } from "../../types/integration/integration.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { checkConfig } from "../integrity/config.js";
import { ringIfAny } from "../integrity/root.js";
import type { SealedTable } from "../integrity/config-mac.js";
import { listProviders } from "../providers/rows.js";
import { toMapping } from "../refs/mapping-rows.js";
import { requireMasterKeys } from "../secrets/master-key.js";
import { signBackup } from "./backup-signature.js";
import { openSecretValue } from "./credential.js";
import { findConnectionRows, listConnections } from "./rows.js";

// `connections backup`: providers, connections and mappings as their views (ids kept), and with
// --include-secrets the connections' credentials, sealed under a passphrase rather than the
// master key, which the database a backup is restored into may not share.

export async function listMappingViews(sql: SqlClient): Promise<IntegrationMappingInfo[]> {
  return (await allMappingRows(typed(sql))).map(toMapping);
}

export async function insertMapping(tx: SqlClient, m: IntegrationMappingInfo): Promise<void> {
  // Column by column: a mapping read from a backup file may carry keys that are no column.
  await insertMappingRow(typed(tx), {
    id: m.id,
    name: m.name,
    providerId: m.providerId,
    connectionId: m.connectionId,
    entityType: m.entityType,
    externalType: m.externalType,
    fieldMappings: jsonText(m.fieldMappings),
    transformationRules: jsonText(m.transformationRules),
    validationRules: jsonText(m.validationRules),
    syncPreferences: m.syncPreferences == null ? null : jsonText(m.syncPreferences),
    createdAt: new Date(m.createdAt),
    updatedAt: new Date(m.updatedAt),
  });
}

export async function createBackup(
  ctx: ServiceContext,
  options: { passphrase: string | null },
): Promise<IntegrationBackup> {
  // A row repointed outside intg would be restored, and sealed anew, wherever the file goes. With
  // no master key at hand nothing can be checked or signed: the file says it is unauthenticated.
  const ring = options.passphrase === null ? await ringIfAny(ctx, false) : await requireMasterKeys(ctx);
  const providerRows = await allProviderRows(typed(ctx.sql));
  const connectionRows = await findConnectionRows(ctx.sql);
  if (ring)
    await checkConfig(ctx, [
      ...providerRows.map((r): [SealedTable, Record<string, unknown>] => ["IntegrationProvider", r]),
      ...connectionRows.map((r): [SealedTable, Record<string, unknown>] => ["IntegrationConnection", r]),
    ]);
  const providers = await listProviders(ctx);
  const connections = await listConnections(ctx);
  const mappings = await listMappingViews(ctx.sql);
  let secrets: IntegrationBackup["secrets"] = null;
  if (options.passphrase !== null) {
    const ring = await requireMasterKeys(ctx);
    const values: Record<string, string> = {};
    for (const c of connections) {
      if (!c.credential) continue;
      const opened = await openSecretValue(ctx.sql, ring, c.credential.id);
      if (opened) values[c.credential.id] = opened.value;
    }
    secrets = {
      count: Object.keys(values).length,
      envelope: sealWithPassphrase(options.passphrase, JSON.stringify(values)),
    };
  }
  // Credentials leaving the database are worth a trace, like a reveal.
  await recordAudit(ctx, {
    action: "connection.backup",
    targetType: "connection",
    targetId: null,
    metadata: {
      providers: providers.length,
      connections: connections.length,
      mappings: mappings.length,
      secrets: secrets?.count ?? 0,
    },
  });
  const body = {
    format: "intg-integrations-backup" as const,
    version: 1 as const,
    createdAt: ctx.now().toISOString(),
    providers,
    connections,
    mappings,
    secrets,
  };
  const by = options.passphrase !== null ? { passphrase: options.passphrase } : ring ? { ring } : null;
  return { ...body, signature: by ? signBackup(body, by) : null };
}
