import type { TokenType } from "../../types/enums.js";
import type { IntegrationSecretInfo } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { SECRET_COLUMNS, toSecretInfo, type SecretRow } from "./rows.js";

export interface ListSecretsInput {
  tokenType?: TokenType;
  /** Only the secrets under this master key, e.g. to see what a rotation has left. */
  masterKeyId?: string;
}

/** `secrets list`: every secret's metadata, by name. Needs no master key: nothing is decrypted. */
export async function listSecrets(ctx: ServiceContext, input: ListSecretsInput = {}): Promise<IntegrationSecretInfo[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (input.tokenType) {
    where.push(`"tokenType" = ?`);
    params.push(input.tokenType);
  }
  if (input.masterKeyId) {
    where.push(`"masterKeyId" = ?`);
    params.push(input.masterKeyId);
  }
  const filter = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
  const rows = await ctx.sql.all<SecretRow>(`SELECT ${SECRET_COLUMNS} FROM "IntegrationSecret"${filter} ORDER BY "name", "id"`, params);
  return rows.map(toSecretInfo);
}
