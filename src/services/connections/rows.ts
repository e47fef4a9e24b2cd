import { NotFoundError, UsageError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import {
  connectionRow,
  connectionRows,
  type ConnectionRow,
  type ConnectionRowFilter,
} from "../../db/queries/integration-connection.js";
import type { SqlClient } from "../../db/sql.js";
import type { JsonObject } from "../../types/common.js";
import type { IntegrationConnectionInfo } from "../../types/integration/integration.types.js";
import { toSecretInfo } from "../secrets/rows.js";

// What the connection services share: the row joined with its provider and credential (never the
// ciphertext), its view, and finding connections.

export type { ConnectionRow };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function validateConnectionName(name: string): string {
  if (!NAME.test(name))
    throw new UsageError(
      `Invalid connection name "${name}".`,
      "Use 1-100 letters, digits and . _ -, starting with a letter or digit.",
      "INVALID_NAME",
    );
  return name;
}

export function connectionConfig(row: Pick<ConnectionRow, "config">): JsonObject | null {
  return (row.config ?? null) as JsonObject | null;
}

export function effectiveRateLimit(row: ConnectionRow): number | null {
  return row.rateLimitPerMinute ?? row.provider.rateLimitPerMinute;
}

export function toConnectionView(row: ConnectionRow): IntegrationConnectionInfo {
  const p = row.provider;
  const id = row.credentialSecretId;
  const secret = id && row.secret ? toSecretInfo({ id, ...row.secret }) : null;
  return {
    id: row.id,
    name: row.name,
    provider: { id: p.id, slug: p.slug, name: p.name, category: p.category, status: p.status },
    environment: row.environment,
    status: row.status,
    config: connectionConfig(row),
    credential: secret,
    rateLimitPerMinute: effectiveRateLimit(row),
    lastCheckedAt: row.lastCheckedAt?.toISOString() ?? null,
    lastHealthyAt: row.lastHealthyAt?.toISOString() ?? null,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function findConnectionRow(sql: SqlClient, id: string): Promise<ConnectionRow> {
  const row = await connectionRow(typed(sql), id);
  if (!row)
    throw new NotFoundError(
      `There is no connection "${id}".`,
      "See the connections with: intg connections list",
      "CONNECTION_NOT_FOUND",
    );
  return row;
}

export type ConnectionFilter = ConnectionRowFilter;

export async function findConnectionRows(sql: SqlClient, filter: ConnectionFilter = {}): Promise<ConnectionRow[]> {
  return connectionRows(typed(sql), filter);
}

export async function listConnections(
  ctx: { sql: SqlClient },
  filter: ConnectionFilter = {},
): Promise<IntegrationConnectionInfo[]> {
  return (await findConnectionRows(ctx.sql, filter)).map(toConnectionView);
}

export async function showConnection(ctx: { sql: SqlClient }, id: string): Promise<IntegrationConnectionInfo> {
  return toConnectionView(await findConnectionRow(ctx.sql, id));
}
