import { ConflictError, UsageError } from "../../errors.js";
import { IntegrationConnectionStatus, IntegrationProviderStatus } from "../../db/generated/kysely/enums.js";
import { jsonText, typed } from "../../db/kysely.js";
import {
  connectionIdNamed,
  deleteConnectionRow,
  enableConnectionRow,
  insertConnectionRow,
  updateConnectionRow,
} from "../../db/queries/integration-connection.js";
import { countHealthChecks } from "../../db/queries/integration-health-check.js";
import { deleteSecretsNamed } from "../../db/queries/integration-secret.js";
import type { SqlClient } from "../../db/sql.js";
import { newId } from "../../lib/ids.js";
import { parseOutboundUrl } from "../../lib/url-guard.js";
import type { JsonObject } from "../../types/common.js";
import type { IntegrationEnvironment } from "../../types/enums.js";
import type {
  IntegrationConnectionDeletion,
  IntegrationConnectionInfo,
} from "../../types/integration/integration.types.js";
import { recordAudit } from "../audit/record.js";
import { sealConfig } from "../integrity/config.js";
import type { ServiceContext } from "../context.js";
import { CREDENTIAL_TOKEN_TYPE } from "../providers/connector.js";
import { findProviderRow } from "../providers/rows.js";
import { setSecret } from "../secrets/set.js";
import { recordEvent } from "./events.js";
import { accessTokenSecretName, credentialSecretName, parseCredential, serialiseCredential } from "./credential.js";
import { findConnectionRow, toConnectionView, validateConnectionName, type ConnectionRow } from "./rows.js";

// Creating and changing connections. Each change and its audit event land in one transaction;
// a credential is sealed under the master key in that same transaction, or nothing is written.

export interface CreateConnectionInput {
  provider: string;
  environment: IntegrationEnvironment;
  name: string;
  config: JsonObject | null;
  rateLimitPerMinute: number | null;
  /** The credential as read (stdin, file, variable); parsed by the provider's auth type. Null for NONE. */
  credential: string | null;
}

export interface ConnectionWritten {
  connection: IntegrationConnectionInfo;
  /** The key file this call created (the embedded database's first secret), for the operator to back up. */
  keyFileCreated: string | null;
}

async function sealCredential(
  ctx: ServiceContext,
  tx: SqlClient,
  connectionId: string,
  row: Pick<ConnectionRow["provider"], "authType">,
  text: string | null,
) {
  const authType = row.authType;
  const tokenType = CREDENTIAL_TOKEN_TYPE[authType];
  if (!tokenType) {
    if (text !== null)
      throw new UsageError(
        "This provider authenticates with none: it takes no credential; nothing was written.",
        undefined,
        "NO_CREDENTIAL_TAKEN",
      );
    return { secretId: null, keyFileCreated: null };
  }
  if (text === null)
    throw new UsageError(
      `A ${authType.toLowerCase()} credential is required; nothing was written.`,
      undefined,
      "EMPTY_SECRET",
    );
  const value = serialiseCredential(parseCredential(authType, text));
  const result = await setSecret({ ...ctx, sql: tx }, { name: credentialSecretName(connectionId), tokenType, value });
  // A new credential invalidates any token obtained with the old one.
  await deleteSecretsNamed(typed(tx), [accessTokenSecretName(connectionId)]);
  return { secretId: result.secret.id, keyFileCreated: result.keyFileCreated };
}

/** `--config baseUrl=…` replaces the provider's base URL for this connection: it must be one. */
function checkConfig(config: JsonObject | null): void {
  if (config && config.baseUrl !== undefined) parseOutboundUrl(String(config.baseUrl));
}

export async function createConnection(ctx: ServiceContext, input: CreateConnectionInput): Promise<ConnectionWritten> {
  validateConnectionName(input.name);
  checkConfig(input.config);
  const now = ctx.now();
  return ctx.sql.transaction(async (tx) => {
    const provider = await findProviderRow(tx, input.provider);
    if (provider.status === IntegrationProviderStatus.DISABLED)
      throw new ConflictError(
        `The provider ${provider.slug} is disabled; no connection can be made to it.`,
        `Re-activate it with: intg providers update ${provider.slug} --status active`,
        "PROVIDER_DISABLED",
      );
    const db = typed(tx);
    const { environment, name, rateLimitPerMinute } = input;
    const clash = await connectionIdNamed(db, { providerId: provider.id, environment, name });
    if (clash)
      throw new ConflictError(
        `A ${input.environment.toLowerCase()} connection "${input.name}" to ${provider.slug} already exists: ${clash}.`,
        undefined,
        "CONNECTION_EXISTS",
      );
    const id = newId("connection", now);
    const config = input.config === null ? null : jsonText(input.config);
    const status = IntegrationConnectionStatus.PENDING;
    await insertConnectionRow(db, {
      id,
      providerId: provider.id,
      name,
      environment,
      status,
      config,
      credentialSecretId: null,
      rateLimitPerMinute,
      createdAt: now,
      updatedAt: now,
    });
    const sealed = await sealCredential(ctx, tx, id, provider, input.credential);
    if (sealed.secretId) await updateConnectionRow(db, id, { credentialSecretId: sealed.secretId });
    await sealConfig({ ...ctx, sql: tx }, "IntegrationConnection", id);
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "connection.create",
        targetType: "connection",
        targetId: id,
        metadata: {
          provider: provider.slug,
          environment: input.environment,
          name: input.name,
          configKeys: Object.keys(input.config ?? {}),
        },
      },
    );
    return { connection: toConnectionView(await findConnectionRow(tx, id)), keyFileCreated: sealed.keyFileCreated };
  });
}

/** `connections set-credentials <id>`: replaces the credential; the status goes back to PENDING until checked. */
export async function setConnectionCredentials(
  ctx: ServiceContext,
  id: string,
  credential: string | null,
): Promise<ConnectionWritten> {
  return ctx.sql.transaction(async (tx) => {
    const row = await findConnectionRow(tx, id);
    const sealed = await sealCredential(ctx, tx, row.id, row.provider, credential);
    const { DISABLED, PENDING } = IntegrationConnectionStatus;
    const status = row.status === DISABLED ? DISABLED : PENDING;
    await updateConnectionRow(typed(tx), row.id, { credentialSecretId: sealed.secretId, status, updatedAt: ctx.now() });
    await sealConfig({ ...ctx, sql: tx }, "IntegrationConnection", row.id);
    await recordEvent(tx, ctx.now(), {
      connectionId: row.id,
      kind: "credentials_updated",
      previousStatus: row.status === status ? null : row.status,
      status,
    });
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "connection.set_credentials",
        targetType: "connection",
        targetId: row.id,
        metadata: { secretId: sealed.secretId },
      },
    );
    return { connection: toConnectionView(await findConnectionRow(tx, row.id)), keyFileCreated: sealed.keyFileCreated };
  });
}

export interface UpdateConnectionInput {
  name?: string;
  /** Merged into the current config; a key set to null is removed. */
  config?: Record<string, string | null>;
  /** null removes the connection's own limit (the provider's default applies again). */
  rateLimitPerMinute?: number | null;
}

export async function updateConnection(
  ctx: ServiceContext,
  id: string,
  input: UpdateConnectionInput,
): Promise<IntegrationConnectionInfo> {
  if (input.name !== undefined) validateConnectionName(input.name);
  return ctx.sql.transaction(async (tx) => {
    const row = await findConnectionRow(tx, id);
    const view = toConnectionView(row);
    const config: JsonObject = { ...view.config };
    for (const [k, v] of Object.entries(input.config ?? {}))
      if (v === null) delete config[k];
      else config[k] = v;
    checkConfig(config);
    const name = input.name ?? row.name;
    const db = typed(tx);
    const clash = await connectionIdNamed(db, { ...row, name }, row.id);
    if (clash)
      throw new ConflictError(
        `A ${row.environment.toLowerCase()} connection "${name}" to ${view.provider.slug} already exists: ${clash}.`,
        undefined,
        "CONNECTION_EXISTS",
      );
    const rateLimitPerMinute =
      input.rateLimitPerMinute === undefined ? row.rateLimitPerMinute : input.rateLimitPerMinute;
    const stored = Object.keys(config).length ? jsonText(config) : null;
    await updateConnectionRow(db, row.id, { name, config: stored, rateLimitPerMinute, updatedAt: ctx.now() });
    await sealConfig({ ...ctx, sql: tx }, "IntegrationConnection", row.id);
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "connection.update",
        targetType: "connection",
        targetId: row.id,
        metadata: { fields: Object.keys(input).filter((k) => input[k as keyof UpdateConnectionInput] !== undefined) },
      },
    );
    return toConnectionView(await findConnectionRow(tx, row.id));
  });
}

export async function setConnectionEnabled(
  ctx: ServiceContext,
  id: string,
  enabled: boolean,
  reason: string | null,
): Promise<IntegrationConnectionInfo> {
  return ctx.sql.transaction(async (tx) => {
    const row = await findConnectionRow(tx, id);
    const now = ctx.now();
    const { DISABLED, PENDING } = IntegrationConnectionStatus;
    if (enabled) await enableConnectionRow(typed(tx), row.id, now);
    else await updateConnectionRow(typed(tx), row.id, { status: DISABLED, disabledAt: now, updatedAt: now });
    const status = enabled ? (row.status === DISABLED ? PENDING : row.status) : DISABLED;
    await recordEvent(tx, now, {
      connectionId: row.id,
      kind: enabled ? "enabled" : "disabled",
      previousStatus: row.status === status ? null : row.status,
      status,
      message: reason,
    });
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: enabled ? "connection.enable" : "connection.disable",
        targetType: "connection",
        targetId: row.id,
        reason,
      },
    );
    return toConnectionView(await findConnectionRow(tx, row.id));
  });
}

/** Deletes a connection, its health history and its secrets; request logs keep their rows, detached. */
export async function deleteConnection(
  ctx: ServiceContext,
  id: string,
  options: { dryRun?: boolean } = {},
): Promise<IntegrationConnectionDeletion> {
  return ctx.sql.transaction(async (tx) => {
    const row = await findConnectionRow(tx, id);
    const checks = await countHealthChecks(typed(tx), row.id);
    const result = {
      connection: toConnectionView(row),
      healthChecks: checks,
      dryRun: options.dryRun === true,
      deleted: false,
    };
    if (result.dryRun) return result;
    await deleteConnectionRow(typed(tx), row.id);
    await deleteSecretsNamed(typed(tx), [credentialSecretName(row.id), accessTokenSecretName(row.id)]);
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "connection.delete",
        targetType: "connection",
        targetId: row.id,
        metadata: { provider: result.connection.provider.slug, name: row.name },
      },
    );
    return { ...result, deleted: true };
  });
}
