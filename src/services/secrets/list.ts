import { typed } from "../../db/kysely.js";
import { listSecretRows } from "../../db/queries/integration-secret.js";
import type { TokenType } from "../../types/enums.js";
import type { IntegrationSecretInfo } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { toSecretInfo } from "./rows.js";

export interface ListSecretsInput {
  tokenType?: TokenType;
  /** Only the secrets under this master key, e.g. to see what a rotation has left. */
  masterKeyId?: string;
}

/** `secrets list`: every secret's metadata, by name. Needs no master key: nothing is decrypted. */
export async function listSecrets(ctx: ServiceContext, input: ListSecretsInput = {}): Promise<IntegrationSecretInfo[]> {
  return (await listSecretRows(typed(ctx.sql), input)).map(toSecretInfo);
}
