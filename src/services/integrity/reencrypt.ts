import { typed } from "../../db/kysely.js";
import { integrityKeyMasterIds, integrityKeyNotUnder, resealIntegrityKey } from "../../db/queries/integrity-key.js";
import { decrypt, encrypt, type MasterKey } from "../../lib/crypto.js";
import type { ServiceContext } from "../context.js";
import { requireKey, type MasterKeyRing } from "../secrets/master-key.js";
import { ROOT_CONTEXT } from "./root.js";

// The integrity root is sealed under the master key like a secret: a master-key rotation moves
// it too, or the key it is sealed under could never be dropped (secrets prune-keys).

/** The master key the root is sealed under, if there is a root: a key still in use (prune-keys). */
export async function integrityKeyMasterId(ctx: Pick<ServiceContext, "sql">): Promise<string | null> {
  return (await integrityKeyMasterIds(typed(ctx.sql)))[0] ?? null;
}

/** Re-seals the root under `target` when it is under another key; returns 0 or 1. */
export async function reencryptIntegrityKey(
  ctx: Pick<ServiceContext, "sql">,
  ring: MasterKeyRing,
  target: MasterKey,
): Promise<number> {
  return ctx.sql.transaction(async (tx) => {
    const db = typed(tx);
    const row = await integrityKeyNotUnder(db, target.id);
    if (!row) return 0;
    const label = "The integrity key";
    const sealed = encrypt(
      target,
      decrypt((id) => (id === target.id ? target : requireKey(ring, id, label)), row.ciphertext, ROOT_CONTEXT, label),
      ROOT_CONTEXT,
    );
    return resealIntegrityKey(db, row.id, row.ciphertext, { ciphertext: sealed, masterKeyId: target.id });
  });
}
