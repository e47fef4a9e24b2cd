// Views printed by `intg secrets …` beside IntegrationSecretInfo (in integration/api.types.ts).
// As with every --json view: fields are added, never renamed or removed.
import type { IntegrationSecretInfo } from "./integration/api.types.js";

/** `secrets reveal`: the only view that carries a secret's plaintext, and only when asked for. */
export type SecretRevealed = IntegrationSecretInfo & { value: string };

/** Where the current master key comes from: INTG_MASTER_KEY, or the embedded database's key file. */
export type MasterKeySource = "env" | "file";

/** One master key id found on IntegrationSecret rows (or the current key, even with no rows). */
export interface MasterKeyUsage {
  masterKeyId: string;
  secrets: number;
  /** New secrets are sealed under it. */
  current: boolean;
  /** The key is at hand (current or previous), so its secrets can be read. */
  available: boolean;
}

/** `secrets status`: exits 8 while secrets wait for re-encryption, 4 when some cannot be read. */
export interface SecretsStatus {
  /** Null when no master key exists yet (an embedded database that never stored a secret). */
  currentKeyId: string | null;
  keySource: MasterKeySource | null;
  /** The embedded database's key file, when one is in use. */
  keyFile: string | null;
  total: number;
  /** Secrets under another key than the current one: what rotate-master-key still has to do. */
  notUnderCurrent: number;
  /** Secrets under a key that is not available: unreadable until that key is supplied. */
  unreadable: number;
  keys: MasterKeyUsage[];
}

/** `secrets rotate-master-key [--dry-run]`. */
export interface MasterKeyRotationResult {
  dryRun: boolean;
  keySource: MasterKeySource;
  /** The key every secret ends under; null only for a dry run that would generate it. */
  toKeyId: string | null;
  /**
   * Where the target key came from: "generated" into the key file; "file", from --new-key-file;
   * "current", the key already current: INTG_MASTER_KEY, or a key file whose last rotation was
   * interrupted (this run finishes it).
   */
  newKey: "generated" | "file" | "current";
  /** Per master key id the secrets were under: how many were moved (for a dry run: would be). */
  fromKeyIds: Record<string, number>;
  /** Secrets re-encrypted by this run (0 for a dry run). */
  reencrypted: number;
  /** Committed transactions, one per batch. */
  batches: number;
  /** Secrets not under the target key afterwards: 0 after a complete run; for a dry run, the work to do. */
  remaining: number;
  /**
   * Always empty: a rotation no longer drops keys (`secrets prune-keys` does, under the lock).
   * Kept so that --json output keeps its fields.
   */
  droppedKeyIds: string[];
}

/** `secrets prune-keys [--dry-run]`: previous master keys that no sealed row uses. */
export interface MasterKeyPruneResult {
  dryRun: boolean;
  keySource: MasterKeySource | null;
  /** The key file edited (or, for a dry run or under INTG_MASTER_KEY, only read); null without one. */
  keyFile: string | null;
  currentKeyId: string | null;
  /** Previous keys in the key file that no row uses: removed (or, for a dry run, would be). */
  prunedKeyIds: string[];
  /** Previous keys still in use, with how many sealed rows each holds: kept. */
  keptKeyIds: Record<string, number>;
  /**
   * Under INTG_MASTER_KEY: the INTG_PREVIOUS_MASTER_KEYS entries (by key id) no row uses. intg cannot
   * edit the environment; the operator drops them.
   */
  unneededEnvKeyIds: string[];
}

/** `secrets delete [--dry-run]`. */
export interface SecretDeletion {
  secret: IntegrationSecretInfo;
  dryRun: boolean;
  deleted: boolean;
  /** Connections whose credential was (or, for a dry run, would be) this secret; needs --force. */
  detachedConnectionIds: string[];
}
