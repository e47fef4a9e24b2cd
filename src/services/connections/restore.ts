import { z } from "zod";
import { ConflictError, IntgError, UsageError } from "../../errors.js";
import { jsonText, typed } from "../../db/kysely.js";
import {
  connectionState,
  connectionIdNamed,
  insertConnectionRow,
  updateConnectionRow,
} from "../../db/queries/integration-connection.js";
import { mappingExists, mappingIdNamed } from "../../db/queries/integration-mapping.js";
import {
  providerExists,
  providerIdBySlug,
  providerRateLimit,
  updateProviderRow,
} from "../../db/queries/integration-provider.js";
import type { SqlClient } from "../../db/sql.js";
import { openWithPassphrase } from "../../lib/passphrase.js";
import { IntegrationConnectionStatus, IntegrationEnvironment, TokenType } from "../../db/generated/kysely/enums.js";
import type { IntegrationMappingInfo } from "../../types/integration/external-reference.types.js";
import type {
  IntegrationBackup,
  IntegrationConnectionInfo,
  IntegrationProviderExtended,
  IntegrationRestoreReport,
} from "../../types/integration/integration.types.js";
import { recordAudit } from "../audit/record.js";
import { sealConfig } from "../integrity/config.js";
import type { ServiceContext } from "../context.js";
import { toIssues } from "../providers/connector.js";
import { toDefinition } from "../providers/rows.js";
import { insertProvider, parseDefinition } from "../providers/write.js";
import { requireMasterKeys } from "../secrets/master-key.js";
import { setSecret } from "../secrets/set.js";
import { verifyBackup } from "./backup-signature.js";
import { insertMapping } from "./backup.js";
import { credentialSecretName } from "./credential.js";

// `connections restore <file>`: all or nothing. Rows keep their ids; one whose id is already
// there is left as it is ("existing"); one whose unique name belongs to another row is a conflict,
// and any conflict writes nothing. A dry run goes through the same transaction and rolls it back.

const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO-8601 date");
const BackupSchema = z.object({
  format: z.literal("intg-integrations-backup"),
  version: z.literal(1),
  createdAt: iso,
  providers: z.array(
    z.looseObject({
      id: z.string().startsWith("prov_"),
      connector: z.looseObject({ auth: z.looseObject({}), healthCheck: z.looseObject({}) }),
      createdAt: iso,
      updatedAt: iso,
    }),
  ),
  connections: z.array(
    z.looseObject({
      id: z.string().startsWith("conn_"),
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/),
      provider: z.looseObject({ id: z.string() }),
      environment: z.enum(Object.values(IntegrationEnvironment) as [string, ...string[]]),
      status: z.enum(Object.values(IntegrationConnectionStatus) as [string, ...string[]]),
      config: z.record(z.string(), z.unknown()).nullable(),
      credential: z
        .looseObject({ id: z.string(), tokenType: z.enum(Object.values(TokenType) as [string, ...string[]]) })
        .nullable(),
      rateLimitPerMinute: z.number().int().positive().nullable(),
      lastCheckedAt: iso.nullable(),
      lastHealthyAt: iso.nullable(),
      disabledAt: iso.nullable(),
      createdAt: iso,
      updatedAt: iso,
    }),
  ),
  mappings: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      providerId: z.string(),
      connectionId: z.string().nullable(),
      entityType: z.string(),
      externalType: z.string(),
      fieldMappings: z.array(z.unknown()),
      transformationRules: z.array(z.unknown()),
      validationRules: z.array(z.unknown()),
      createdAt: iso,
      updatedAt: iso,
    }),
  ),
  secrets: z.object({ count: z.number().int().nonnegative(), envelope: z.string() }).nullable(),
  signature: z.looseObject({}).nullable().optional(),
});

// The file as read, for the signature: the schema drops keys it does not know.
const rawOf = new WeakMap<IntegrationBackup, unknown>();

/** Checks the file's shape; the first problem is named by its path. */
export function parseBackup(data: unknown): IntegrationBackup {
  const parsed = BackupSchema.safeParse(data);
  if (!parsed.success) {
    const [first] = toIssues(parsed.error);
    throw new UsageError(
      `Not an intg backup${first!.path ? ` (at ${first!.path})` : ""}: ${first!.message}; nothing was written.`,
      undefined,
      "INVALID_BACKUP",
    );
  }
  const backup = parsed.data as unknown as IntegrationBackup;
  rawOf.set(backup, data);
  backup.providers.forEach((p, i) => parseDefinition(toDefinition(p), `providers[${i}]`));
  return backup;
}

class DryRun extends Error {
  constructor(readonly report: IntegrationRestoreReport) {
    super("dry run");
  }
}

export interface RestoreOptions {
  passphrase: string | null;
  dryRun: boolean;
  /** Restore a file whose signature is missing (or cannot be checked here): the operator vouches for it. */
  allowUnsigned?: boolean;
}

export async function restoreBackup(
  ctx: ServiceContext,
  backup: IntegrationBackup,
  options: RestoreOptions,
): Promise<IntegrationRestoreReport> {
  const raw = (rawOf.get(backup) ?? backup) as IntegrationBackup;
  try {
    await verifyBackup(raw, { passphrase: options.passphrase, ring: () => requireMasterKeys(ctx) });
  } catch (error) {
    // --allow-unsigned covers a file nothing here can check, never one whose signature fails.
    const uncheckable =
      error instanceof IntgError && ["BACKUP_UNSIGNED", "MASTER_KEY_UNAVAILABLE"].includes(error.code);
    if (!(options.allowUnsigned && uncheckable)) throw error;
  }
  let secrets: Record<string, string> = {};
  if (backup.secrets && options.passphrase === null)
    throw new UsageError(
      "The backup holds credentials: give its passphrase on stdin or with --passphrase-file; nothing was written.",
      undefined,
      "PASSPHRASE_REQUIRED",
    );
  if (backup.secrets)
    secrets = JSON.parse(openWithPassphrase(options.passphrase!, backup.secrets.envelope)) as Record<string, string>;
  const report: IntegrationRestoreReport = {
    dryRun: options.dryRun,
    created: { providers: [], connections: [], mappings: [] },
    existing: { providers: [], connections: [], mappings: [] },
    credentials: 0,
    withoutCredentials: [],
    conflicts: [],
  };
  try {
    await ctx.sql.transaction(async (tx) => {
      for (const p of backup.providers) await restoreProvider({ ...ctx, sql: tx }, p, report);
      for (const c of backup.connections) await restoreConnection({ ...ctx, sql: tx }, c, secrets, report);
      for (const m of backup.mappings) await restoreMapping(tx, m, report);
      if (report.conflicts.length)
        throw new ConflictError(
          `The backup conflicts with this database in ${report.conflicts.length} place(s): ${report.conflicts.map((c) => `${c.id}: ${c.message}`).join("; ")}. Nothing was restored.`,
          "See them all with --dry-run --json.",
          "RESTORE_CONFLICT",
        );
      await recordAudit(
        { ...ctx, sql: tx },
        {
          action: "connection.restore",
          targetType: "connection",
          targetId: null,
          metadata: {
            providers: report.created.providers.length,
            connections: report.created.connections.length,
            mappings: report.created.mappings.length,
            credentials: report.credentials,
          },
        },
      );
      if (options.dryRun) throw new DryRun(report);
    });
  } catch (error) {
    if (error instanceof DryRun) return error.report;
    if (options.dryRun && error instanceof ConflictError && error.code === "RESTORE_CONFLICT") return report;
    throw error;
  }
  return report;
}

async function restoreProvider(
  ctx: ServiceContext,
  p: IntegrationProviderExtended,
  report: IntegrationRestoreReport,
): Promise<void> {
  const db = typed(ctx.sql);
  if (await providerExists(db, p.id)) return void report.existing.providers.push(p.id);
  const clash = await providerIdBySlug(db, p.slug);
  if (clash) return void report.conflicts.push({ id: p.id, message: `the slug "${p.slug}" belongs to ${clash}` });
  await insertProvider(ctx.sql, parseDefinition(toDefinition(p)), ctx.now(), p.id);
  await sealConfig(ctx, "IntegrationProvider", p.id);
  await updateProviderRow(db, p.id, { createdAt: new Date(p.createdAt), updatedAt: new Date(p.updatedAt) });
  report.created.providers.push(p.id);
}

async function restoreConnection(
  ctx: ServiceContext,
  c: IntegrationConnectionInfo,
  secrets: Record<string, string>,
  report: IntegrationRestoreReport,
): Promise<void> {
  const db = typed(ctx.sql);
  if (await connectionState(db, c.id)) return void report.existing.connections.push(c.id);
  const provider = await providerRateLimit(db, c.provider.id);
  if (!provider)
    return void report.conflicts.push({
      id: c.id,
      message: `its provider ${c.provider.id} is neither in the backup nor in this database`,
    });
  const clash = await connectionIdNamed(db, { providerId: c.provider.id, environment: c.environment, name: c.name });
  if (clash)
    return void report.conflicts.push({
      id: c.id,
      message: `a ${c.environment.toLowerCase()} connection "${c.name}" to ${c.provider.slug} already exists: ${clash}`,
    });
  // The view shows the limit in force; the connection's own is only what differs from its provider's.
  const own = c.rateLimitPerMinute !== provider.rateLimitPerMinute ? c.rateLimitPerMinute : null;
  const value = c.credential ? secrets[c.credential.id] : undefined;
  const status = c.credential && value === undefined ? IntegrationConnectionStatus.PENDING : c.status;
  await insertConnectionRow(db, {
    id: c.id,
    providerId: c.provider.id,
    name: c.name,
    environment: c.environment,
    status,
    config: c.config === null ? null : jsonText(c.config),
    credentialSecretId: null,
    rateLimitPerMinute: own,
    lastCheckedAt: date(c.lastCheckedAt),
    lastHealthyAt: date(c.lastHealthyAt),
    disabledAt: date(c.disabledAt),
    createdAt: new Date(c.createdAt),
    updatedAt: new Date(c.updatedAt),
  });
  if (c.credential && value !== undefined) {
    const sealed = await setSecret(ctx, { name: credentialSecretName(c.id), tokenType: c.credential.tokenType, value });
    await updateConnectionRow(db, c.id, { credentialSecretId: sealed.secret.id });
    report.credentials++;
  } else if (c.credential) report.withoutCredentials.push(c.id);
  await sealConfig(ctx, "IntegrationConnection", c.id);
  report.created.connections.push(c.id);
}

async function restoreMapping(
  tx: SqlClient,
  m: IntegrationMappingInfo,
  report: IntegrationRestoreReport,
): Promise<void> {
  const db = typed(tx);
  if (await mappingExists(db, m.id)) return void report.existing.mappings.push(m.id);
  const clash = await mappingIdNamed(db, m.name);
  if (clash)
    return void report.conflicts.push({ id: m.id, message: `the mapping name "${m.name}" belongs to ${clash}` });
  if (!(await providerExists(db, m.providerId)))
    return void report.conflicts.push({ id: m.id, message: `its provider ${m.providerId} is missing` });
  if (m.connectionId && !(await connectionState(db, m.connectionId)))
    return void report.conflicts.push({ id: m.id, message: `its connection ${m.connectionId} is missing` });
  await insertMapping(tx, m);
  report.created.mappings.push(m.id);
}

const date = (s: string | null) => (s === null ? null : new Date(s));
