import type { MasterKeyPruneResult } from "../../types/secrets.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { readKeyFile, replaceKeyFile } from "./key-file.js";
import { withMasterKeyLock, type KeyLockOptions } from "./key-lock.js";
import { loadMasterKeys, parsePreviousKeys, PREVIOUS_KEYS_ENV } from "./master-key.js";
import { countByKey } from "./status.js";
import { integrityKeyMasterId } from "../integrity/reencrypt.js";

/**
 * `secrets prune-keys`: the one step that removes master keys. Under the master-key lock (so no
 * rotation is moving rows meanwhile), it counts the sealed rows per key and drops from the key
 * file the previous keys that none uses. The current key is never dropped. Under INTG_MASTER_KEY
 * it edits nothing: it names the INTG_PREVIOUS_MASTER_KEYS entries no row needs.
 */
export async function pruneKeys(
  ctx: ServiceContext,
  input: { dryRun?: boolean } & KeyLockOptions = {},
): Promise<MasterKeyPruneResult> {
  const dryRun = input.dryRun ?? false;
  return withMasterKeyLock(
    ctx,
    async () => {
      const ring = await loadMasterKeys(ctx, { create: false, locked: true });
      const empty: MasterKeyPruneResult = {
        dryRun,
        keySource: null,
        keyFile: null,
        currentKeyId: null,
        prunedKeyIds: [],
        keptKeyIds: {},
        unneededEnvKeyIds: [],
      };
      if (!ring) return empty; // an embedded database without a key file: nothing to prune
      const counts = await countByKey(ctx);
      // The integrity root (services/integrity) is sealed under a master key too, though no secret.
      const rootKey = await integrityKeyMasterId(ctx);
      const used = (id: string) => (counts.get(id) ?? 0) > 0 || id === rootKey;
      const result = { ...empty, keySource: ring.source, keyFile: ring.file, currentKeyId: ring.current.id };
      const envPrevious = parsePreviousKeys(ctx.env[PREVIOUS_KEYS_ENV]);
      const unneeded = (id: string) => id !== ring.current.id && !used(id);
      result.unneededEnvKeyIds = distinctIds(envPrevious.map((k) => k.id)).filter(unneeded);
      // The key file is edited only while it holds the current key: under INTG_MASTER_KEY it merely
      // lends its keys for reading, and may be all an operator has if the variable is unset again.
      const stored = ring.source === "file" && ring.file ? readKeyFile(ring.file) : undefined;
      if (stored) {
        const pruned = stored.previous.filter((k) => k.id !== stored.current.id && !used(k.id));
        const kept = stored.previous.filter((k) => !pruned.includes(k));
        result.prunedKeyIds = distinctIds(pruned.map((k) => k.id));
        result.keptKeyIds = Object.fromEntries(kept.map((k) => [k.id, counts.get(k.id) ?? 0]));
        if (!dryRun && pruned.length > 0) replaceKeyFile(ring.file!, { current: stored.current, previous: kept });
      } else {
        const kept = ring.previous.filter((k) => used(k.id));
        result.keptKeyIds = Object.fromEntries(kept.map((k) => [k.id, counts.get(k.id)!]));
      }
      if (!dryRun) {
        const { dryRun: _, ...metadata } = result;
        await recordAudit(ctx, { action: "secret.prune_keys", targetType: "secret", targetId: null, metadata });
      }
      return result;
    },
    input,
  );
}

function distinctIds(ids: string[]): string[] {
  return [...new Set(ids)];
}
