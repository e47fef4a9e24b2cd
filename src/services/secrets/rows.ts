import { ConflictError, NotFoundError, UsageError } from "../../errors.js";
import { col, type SqlClient } from "../../db/sql.js";
import type { TokenType } from "../../types/enums.js";
import type { IntegrationSecretInfo } from "../../types/integration/api.types.js";

// What the secrets services share: the row, its view, and finding a secret by id or name.

/** Every column but the ciphertext, which leaves the service layer only through reveal. */
export const SECRET_COLUMNS = `"id","name","tokenType","masterKeyId","expiresAt","rotatedAt","createdAt","updatedAt"`;

export interface SecretRow {
  id: string;
  name: string;
  tokenType: TokenType;
  masterKeyId: string;
  expiresAt: unknown;
  rotatedAt: unknown;
  createdAt: unknown;
  updatedAt: unknown;
}

export function toSecretInfo(row: SecretRow): IntegrationSecretInfo {
  return {
    id: row.id,
    name: row.name,
    tokenType: row.tokenType,
    masterKeyId: row.masterKeyId,
    expiresAt: col.dateOrNull(row.expiresAt)?.toISOString() ?? null,
    rotatedAt: col.dateOrNull(row.rotatedAt)?.toISOString() ?? null,
    createdAt: col.date(row.createdAt).toISOString(),
    updatedAt: col.date(row.updatedAt).toISOString(),
  };
}

/** How messages name a secret: its name and its id. */
export function secretLabel(row: { id: string; name: string }): string {
  return `Secret "${row.name}" (${row.id})`;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/;
const SECRET_ID = /^sec_[0-9A-HJKMNP-TV-Z]{26}$/;

/** Names are what scripts type, so they are plain; one that looks like an id would shadow it. */
export function validateSecretName(name: string): string {
  if (!NAME.test(name) || SECRET_ID.test(name)) {
    throw new UsageError(
      `Invalid secret name "${name}".`,
      "Use 1-128 characters: letters, digits and . _ : / @ -, starting with a letter or digit (and not shaped like a sec_ id).",
      "INVALID_NAME",
    );
  }
  return name;
}

/**
 * A secret by id or by name. The schema does not make names unique (intg never writes two rows
 * with one name, but another writer might): several matches are a conflict naming their ids.
 * With `lock`, PostgreSQL locks the row for the caller's transaction (SQLite's lock is already held).
 */
export async function findSecret<T extends SecretRow = SecretRow>(
  sql: SqlClient,
  ref: string,
  options: { columns?: string; lock?: boolean } = {},
): Promise<T> {
  const columns = options.columns ?? SECRET_COLUMNS;
  const lock = options.lock && sql.provider === "postgresql" ? " FOR UPDATE" : "";
  const byId = await sql.get<T>(`SELECT ${columns} FROM "IntegrationSecret" WHERE "id" = ?${lock}`, [ref]);
  if (byId) return byId;
  const byName = await sql.all<T>(`SELECT ${columns} FROM "IntegrationSecret" WHERE "name" = ? ORDER BY "id"${lock}`, [ref]);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) {
    throw new ConflictError(`${byName.length} secrets are named "${ref}": ${byName.map((r) => r.id).join(", ")}.`, "Name one by its id.", "AMBIGUOUS_NAME");
  }
  throw new NotFoundError(`No secret with id or name "${ref}".`, "List them with: intg secrets list", "SECRET_NOT_FOUND");
}
