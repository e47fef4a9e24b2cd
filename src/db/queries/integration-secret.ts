import type { Selectable } from "kysely";
import type { IntegrationSecret } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";

// Statements on "IntegrationSecret" that the connections make: a connection's credential and its
// cached OAuth2 access token are secrets named after the connection.

export type SecretCipherRow = Pick<Selectable<IntegrationSecret>, "id" | "name" | "ciphertext" | "expiresAt">;

const sealed = (db: Db) => db.selectFrom("IntegrationSecret").select(["id", "name", "ciphertext", "expiresAt"]);

/** A secret's sealed value, for decrypting just before it is used. */
export function secretCipherById(db: Db, id: string): Promise<SecretCipherRow | undefined> {
  return sealed(db).where("id", "=", id).executeTakeFirst();
}

export function secretCipherByName(db: Db, name: string): Promise<SecretCipherRow | undefined> {
  return sealed(db).where("name", "=", name).executeTakeFirst();
}

export async function deleteSecretsNamed(db: Db, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await db.deleteFrom("IntegrationSecret").where("name", "in", names).execute();
}
