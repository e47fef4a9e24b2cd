import { typed } from "../../db/kysely.js";
import { sampleSealedSecrets } from "../../db/queries/integration-secret.js";
import { endpointSecretsUnder } from "../../db/queries/webhook-endpoint.js";
import { decrypt } from "../../lib/crypto.js";
import type { ServiceContext } from "../context.js";
import { currentSlot, openSecret } from "../webhooks/endpoint-secret.js";
import { findKey, type MasterKeyRing } from "./master-key.js";

// How many rows to try before deciding the ring opens none: one altered row must not block every
// write, and a handful of decryptions costs nothing beside the write itself.
const SAMPLE = 3;

/** True when at least one stored ciphertext under one of `keyIds` really opens under the ring. */
export async function opensOneRow(ctx: Pick<ServiceContext, "sql">, ring: MasterKeyRing, keyIds: string[]) {
  const secrets = await sampleSealedSecrets(typed(ctx.sql), keyIds, SAMPLE);
  const endpoints = await endpointSecretsUnder(typed(ctx.sql), keyIds, SAMPLE);
  // Opened exactly as their readers open them (reveal, endpoint-secret.ts), associated data included.
  const opens = (open: () => unknown) => {
    try {
      open();
      return true;
    } catch {
      return false; // altered, or relabelled with a key id it was not sealed under
    }
  };
  return (
    secrets.some((row) => opens(() => decrypt((id) => findKey(ring, id), row.ciphertext, row.id))) ||
    endpoints.some((row) => opens(() => openSecret(ring, row.ciphertext, currentSlot(row.id))))
  );
}
