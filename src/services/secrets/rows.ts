import { ConflictError, NotFoundError, UsageError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { secretById, secretsNamed } from "../../db/queries/integration-secret.js";
import type { SealedSecretRow, SecretReadOptions, SecretRow } from "../../db/queries/integration-secret.js";
import type { SqlClient } from "../../db/sql.js";
import type { IntegrationSecretInfo } from "../../types/integration/api.types.js";

// What the secrets services share: the row, its view, and finding a secret by id or name.

export type { SecretRow } from "../../db/queries/integration-secret.js";

export function toSecretInfo(row: SecretRow): IntegrationSecretInfo {
  return {
    id: row.id,
    name: row.name,
    tokenType: row.tokenType,
    masterKeyId: row.masterKeyId,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    rotatedAt: row.rotatedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
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
 * With `lock`, PostgreSQL locks the row for the caller's transaction (SQLite's lock is already
 * held); with `ciphertext`, the sealed value comes too (reveal).
 */
export async function findSecret(sql: SqlClient, ref: string, opts: SecretReadOptions = {}): Promise<SealedSecretRow> {
  const db = typed(sql);
  const byId = await secretById(db, ref, opts);
  if (byId) return byId;
  const byName = await secretsNamed(db, ref, opts);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) {
    throw new ConflictError(
      `${byName.length} secrets are named "${ref}": ${byName.map((r) => r.id).join(", ")}.`,
      "Name one by its id.",
      "AMBIGUOUS_NAME",
    );
  }
  throw new NotFoundError(
    `No secret with id or name "${ref}".`,
    "List them with: intg secrets list",
    "SECRET_NOT_FOUND",
  );
}
