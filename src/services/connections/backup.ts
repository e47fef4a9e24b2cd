import { col, type SqlClient } from "../../db/sql.js";
import { sealWithPassphrase } from "../../lib/passphrase.js";
import type { IntegrationMappingInfo } from "../../types/integration/external-reference.types.js";
import type { IntegrationBackup } from "../../types/integration/integration.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { checkConfig } from "../integrity/config.js";
import { ringIfAny } from "../integrity/root.js";
import type { SealedTable } from "../integrity/config-mac.js";
import { listProviders, PROVIDER_COLUMNS } from "../providers/rows.js";
import { requireMasterKeys } from "../secrets/master-key.js";
import { signBackup } from "./backup-signature.js";
import { openSecretValue } from "./credential.js";
import { findConnectionRows, listConnections } from "./rows.js";

// `connections backup`: providers, connections and mappings as their views (ids kept), and with
// --include-secrets the connections' credentials, sealed under a passphrase rather than the
// master key, which the database a backup is restored into may not share.

const MAPPING_COLUMNS = `"id","providerId","connectionId","name","entityType","externalType","fieldMappings","transformationRules","validationRules","syncPreferences","createdAt","updatedAt"`;

export async function listMappingViews(sql: SqlClient): Promise<IntegrationMappingInfo[]> {
  const rows = await sql.all<Record<string, unknown>>(`SELECT ${MAPPING_COLUMNS} FROM "IntegrationMapping" ORDER BY "id"`);
  return rows.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    providerId: String(r.providerId),
    connectionId: (r.connectionId as string | null) ?? null,
    entityType: String(r.entityType),
    externalType: String(r.externalType),
    fieldMappings: col.json(r.fieldMappings),
    transformationRules: col.json(r.transformationRules),
    validationRules: col.json(r.validationRules),
    syncPreferences: r.syncPreferences === null ? null : col.json(r.syncPreferences),
    createdAt: col.iso(r.createdAt)!,
    updatedAt: col.iso(r.updatedAt)!,
  }));
}

export async function insertMapping(tx: SqlClient, m: IntegrationMappingInfo): Promise<void> {
  await tx.run(`INSERT INTO "IntegrationMapping" (${MAPPING_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, [
    m.id, m.providerId, m.connectionId, m.name, m.entityType, m.externalType, m.fieldMappings, m.transformationRules, m.validationRules, m.syncPreferences, new Date(m.createdAt), new Date(m.updatedAt),
  ]);
}

export async function createBackup(ctx: ServiceContext, options: { passphrase: string | null }): Promise<IntegrationBackup> {
  // A row repointed outside intg would be restored, and sealed anew, wherever the file goes. With
  // no master key at hand nothing can be checked or signed: the file says it is unauthenticated.
  const ring = options.passphrase === null ? await ringIfAny(ctx, false) : await requireMasterKeys(ctx);
  const providerRows = await ctx.sql.all<Record<string, unknown>>(`SELECT ${PROVIDER_COLUMNS} FROM "IntegrationProvider" p ORDER BY p."id"`);
  const connectionRows = await findConnectionRows(ctx.sql);
  if (ring) await checkConfig(ctx, [
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
    secrets = { count: Object.keys(values).length, envelope: sealWithPassphrase(options.passphrase, JSON.stringify(values)) };
  }
  // Credentials leaving the database are worth a trace, like a reveal.
  await recordAudit(ctx, { action: "connection.backup", targetType: "connection", targetId: null, metadata: { providers: providers.length, connections: connections.length, mappings: mappings.length, secrets: secrets?.count ?? 0 } });
  const body = { format: "intg-integrations-backup" as const, version: 1 as const, createdAt: ctx.now().toISOString(), providers, connections, mappings, secrets };
  const by = options.passphrase !== null ? { passphrase: options.passphrase } : ring ? { ring } : null;
  return { ...body, signature: by ? signBackup(body, by) : null };
}
