import { CredentialError, IntgError, UsageError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { resealSecret, secretsNotUnder } from "../../db/queries/integration-secret.js";
import { decrypt, encrypt, generateMasterKey, type MasterKey } from "../../lib/crypto.js";
import type { MasterKeyRotationResult } from "../../types/secrets.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { readKeyFile, replaceKeyFile } from "./key-file.js";
import { withMasterKeyLock } from "./key-lock.js";
import {
  findKey,
  loadMasterKeys,
  MASTER_KEY_ENV,
  PREVIOUS_KEYS_ENV,
  requireKey,
  type MasterKeyRing,
} from "./master-key.js";
import { reencryptEndpointBatch } from "../webhooks/endpoint-reencrypt.js";
import { reencryptIntegrityKey } from "../integrity/reencrypt.js";
import { secretLabel } from "./rows.js";
import { countByKey } from "./status.js";

// Every column sealed under the master key must be re-encrypted here, or a rotation would strand
// it under a key that prune-keys may later drop: IntegrationSecret.ciphertext, and
// WebhookEndpoint.secretCiphertext, previousSecretCiphertext and olderSecretCiphertext (endpoint-reencrypt.ts).

/** One batch of one sealed row kind moved to `target`, in one transaction; returns how many moved (0: done). */
export type ReencryptBatch = (
  ctx: ServiceContext,
  ring: MasterKeyRing,
  target: MasterKey,
  size: number,
  moved: Map<string, number>,
) => Promise<number>;

/** Each sealed row kind's batch, in order: a new kind is one more entry (and a column in countByKey). */
export const REENCRYPT_BATCHES: ReencryptBatch[] = [reencryptSecretBatch, reencryptEndpointBatch];

export const DEFAULT_BATCH_SIZE = 500;

export interface RotateMasterKeyInput {
  /** --new-key-file, for the key file only. Without it a key is generated, unless an earlier run is unfinished. */
  newKey?: MasterKey;
  batchSize?: number;
  dryRun?: boolean;
  /** After each committed batch (and once before the first). Throwing stops the run as a crash would. */
  onProgress?: (progress: { done: number; total: number }) => void | Promise<void>;
  /** How long to wait for another process's rotation (default: key-lock.ts). */
  lockWaitMs?: number;
}

interface Plan {
  /** null: generate one. */
  target: MasterKey | null;
  newKey: MasterKeyRotationResult["newKey"];
  /** The target is not the current key yet: the key file must name it before any row moves. */
  install: boolean;
  pending: Map<string, number>;
}

/**
 * `secrets rotate-master-key`: re-encrypts every secret that is not under the target key, in
 * batches of one transaction each. The row's masterKeyId is the progress marker, so a run that
 * stops anywhere (crash, Ctrl-C, SIGKILL, a bad row) is finished by running it again. A run holds
 * the master-key lock throughout and reads the key file under it, so a second run waits and then
 * plans from what the first one left. No key is ever dropped here: see prune-keys.ts.
 */
export async function rotateMasterKey(
  ctx: ServiceContext,
  input: RotateMasterKeyInput = {},
): Promise<MasterKeyRotationResult> {
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    throw new UsageError(`The batch size must be a whole number from 1 to 10000, not ${batchSize}.`);
  // A dry run takes the lock too: read while another run moves rows, the key file and the rows
  // could disagree (rows already under a key the file did not name yet when it was read).
  return withMasterKeyLock(ctx, () => rotateLocked(ctx, input, batchSize), { waitMs: input.lockWaitMs });
}

async function rotateLocked(ctx: ServiceContext, input: RotateMasterKeyInput, batchSize: number) {
  const dryRun = input.dryRun ?? false;
  let ring = await loadMasterKeys(ctx, { create: !dryRun, locked: true });
  if (!ring) {
    // A dry run on an embedded database that has no key file yet: there is nothing to re-encrypt.
    return result({
      dryRun,
      keySource: "file",
      toKeyId: input.newKey?.id ?? null,
      newKey: input.newKey ? "file" : "generated",
    });
  }
  if (input.newKey && ring.source === "env") {
    throw new UsageError(
      `--new-key-file does not apply while ${MASTER_KEY_ENV} is set: the new key is ${MASTER_KEY_ENV} itself.`,
      `Set ${MASTER_KEY_ENV}=<new key> and ${PREVIOUS_KEYS_ENV}=<old key>, then run: intg secrets rotate-master-key`,
    );
  }
  const plan = await planRotation(ctx, ring, input.newKey);
  const missing = [...plan.pending.keys()].filter((id) => !findKey(ring!, id));
  if (missing.length > 0)
    throw unavailable(
      ring,
      missing.map((id) => `${id} (${plan.pending.get(id)} secret(s))`),
    );
  const fromTotal = sum(plan.pending);
  if (dryRun) {
    return result({
      dryRun,
      keySource: ring.source,
      toKeyId: plan.target?.id ?? null,
      newKey: plan.newKey,
      fromKeyIds: Object.fromEntries(plan.pending),
      remaining: fromTotal,
    });
  }
  const target = plan.target ?? generateMasterKey();
  if (plan.install) ring = installKey(ring, target);

  const moved = new Map<string, number>();
  let batches = 0;
  const progress = () => ({
    keySource: ring!.source,
    toKeyId: target.id,
    newKey: plan.newKey,
    fromKeyIds: Object.fromEntries(moved),
    reencrypted: sum(moved),
    batches,
  });
  try {
    await input.onProgress?.({ done: 0, total: fromTotal });
    // The integrity root first: it is one row, not a secret of the operator's, and not counted.
    await reencryptIntegrityKey(ctx, ring, target);
    for (;;) {
      // One kind after another (the first with rows left); each batch commits, and the envelopes
      // themselves mark progress.
      let changed = 0;
      for (const batch of REENCRYPT_BATCHES) {
        if ((changed = await batch(ctx, ring, target, batchSize, moved)) > 0) break;
      }
      if (changed === 0) break;
      batches++;
      await input.onProgress?.({ done: sum(moved), total: Math.max(fromTotal, sum(moved)) });
    }
  } catch (error) {
    const reason = error instanceof IntgError ? error.code : "INTERRUPTED";
    await recordAudit(ctx, {
      action: "secret.rotate_master_key",
      targetType: "secret",
      targetId: null,
      outcome: "failure",
      reason,
      metadata: progress(),
    });
    throw error;
  }
  const after = await countByKey(ctx);
  const remaining = sum(after) - (after.get(target.id) ?? 0);
  const done = { ...progress(), remaining };
  await recordAudit(ctx, { action: "secret.rotate_master_key", targetType: "secret", targetId: null, metadata: done });
  return result({ dryRun: false, ...done });
}

async function planRotation(ctx: ServiceContext, ring: MasterKeyRing, newKey: MasterKey | undefined): Promise<Plan> {
  const counts = await countByKey(ctx);
  const pendingUnder = (id: string | null) => new Map([...counts].filter(([k]) => k !== id));
  const current = ring.current;
  if (ring.source === "env")
    return { target: current, newKey: "current", install: false, pending: pendingUnder(current.id) };
  if (newKey)
    return { target: newKey, newKey: "file", install: newKey.id !== current.id, pending: pendingUnder(newKey.id) };
  // Secrets still under older keys mean an earlier rotation stopped: finish it before starting another.
  const unfinished = pendingUnder(current.id);
  if (unfinished.size > 0) return { target: current, newKey: "current", install: false, pending: unfinished };
  return { target: null, newKey: "generated", install: true, pending: pendingUnder(null) };
}

/** The key file names the new key as current, the old ones as previous, before any row moves. */
function installKey(ring: MasterKeyRing, target: MasterKey): MasterKeyRing {
  const stored = readKeyFile(ring.file!)!;
  const keep = (keys: MasterKey[]) =>
    keys.filter((k, i) => k.id !== target.id && keys.findIndex((o) => o.id === k.id) === i);
  replaceKeyFile(ring.file!, { current: target, previous: keep([stored.current, ...stored.previous]) });
  return { ...ring, current: target, previous: keep([ring.current, ...ring.previous]) };
}

// A function declaration, not a const: REENCRYPT_BATCHES above names it before this line runs.
async function reencryptSecretBatch(
  ctx: ServiceContext,
  ring: MasterKeyRing,
  target: MasterKey,
  size: number,
  moved: Map<string, number>,
): Promise<number> {
  const lookup = (label: string) => (id: string) => (id === target.id ? target : requireKey(ring, id, label));
  return ctx.sql.transaction(async (tx) => {
    const db = typed(tx);
    const rows = await secretsNotUnder(db, target.id, size);
    let changed = 0;
    for (const row of rows) {
      const label = secretLabel(row);
      const sealed = encrypt(target, decrypt(lookup(label), row.ciphertext, row.id, label), row.id);
      // Re-encryption changes no credential: rotatedAt and updatedAt describe the value, not its envelope.
      const n = await resealSecret(db, row.id, row.ciphertext, { ciphertext: sealed, masterKeyId: target.id });
      if (n > 0) moved.set(row.masterKeyId, (moved.get(row.masterKeyId) ?? 0) + 1);
      changed += n;
    }
    return changed;
  });
}

// Checked before anything is written, so a run never stops half-way for want of a key it could have asked for.
function unavailable(ring: MasterKeyRing, what: string[]): CredentialError {
  return new CredentialError(
    `Nothing was re-encrypted: secrets are sealed under master key(s) that are not available: ${what.join(", ")}.`,
    ring.source === "env"
      ? `Add the old key(s) to ${PREVIOUS_KEYS_ENV} (base64, comma-separated) and run again.`
      : `Set ${PREVIOUS_KEYS_ENV} to the old key(s) (base64, comma-separated), or restore a key file that holds them, and run again.`,
    "MASTER_KEY_UNAVAILABLE",
  );
}

function sum(counts: Map<string, number>): number {
  return [...counts.values()].reduce((a, b) => a + b, 0);
}

function result(
  r: Partial<MasterKeyRotationResult> & Pick<MasterKeyRotationResult, "dryRun" | "keySource" | "toKeyId" | "newKey">,
): MasterKeyRotationResult {
  // Spelled out so that --json prints the fields in one order whatever the path.
  return {
    dryRun: r.dryRun,
    keySource: r.keySource,
    toKeyId: r.toKeyId,
    newKey: r.newKey,
    fromKeyIds: r.fromKeyIds ?? {},
    reencrypted: r.reencrypted ?? 0,
    batches: r.batches ?? 0,
    remaining: r.remaining ?? 0,
    droppedKeyIds: r.droppedKeyIds ?? [],
  };
}
