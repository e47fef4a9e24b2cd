import { dirname, join } from "node:path";
import { CredentialError, UsageError } from "../../errors.js";
import { generateMasterKey, KEY_BYTES, masterKeyFrom, type MasterKey } from "../../lib/crypto.js";
import type { DbTarget, Env } from "../../db/url.js";
import type { ServiceContext } from "../context.js";
import { createKeyFile, KEY_FILE_NAME, readKeyFile } from "./key-file.js";
import { withMasterKeyLock } from "./key-lock.js";
import { opensOneRow } from "./sealing-check.js";
import { countByKey, sealedUnderKeyIds } from "./status.js";

export const MASTER_KEY_ENV = "INTG_MASTER_KEY";
export const PREVIOUS_KEYS_ENV = "INTG_PREVIOUS_MASTER_KEYS";

/**
 * The master keys at hand: the current one seals every new ciphertext; previous ones only open
 * rows a rotation has not reached yet (or has not been run for).
 */
export interface MasterKeyRing {
  current: MasterKey;
  previous: MasterKey[];
  /** Where the current key came from. */
  source: "env" | "file";
  /** The embedded database's key file, when there is one (read or created). */
  file: string | null;
  /** True when this call created the key file. */
  created: boolean;
}

/** A key as an operator writes it: base64 (standard or URL-safe) of exactly 32 bytes. */
export function parseMasterKeyText(text: string, what: string): MasterKey {
  const t = text.trim();
  // Buffer.from(…, "base64") skips characters it does not know; check the alphabet first so that
  // a typo is an error rather than a different key. The value itself is never echoed.
  const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(t) ? Buffer.from(t, "base64") : undefined;
  if (!bytes || bytes.length !== KEY_BYTES) {
    const got = bytes ? `it decodes to ${bytes.length} bytes` : "it is not base64";
    throw new UsageError(
      `${what} must be base64 of exactly ${KEY_BYTES} bytes; ${got}.`,
      "Generate one with: openssl rand -base64 32",
      "MASTER_KEY_MALFORMED",
    );
  }
  return masterKeyFrom(bytes);
}

export function parsePreviousKeys(text: string | undefined): MasterKey[] {
  const parts = (text ?? "").split(",").map((s) => s.trim());
  return parts.flatMap((part, i) =>
    part === "" ? [] : [parseMasterKeyText(part, `${PREVIOUS_KEYS_ENV} entry ${i + 1}`)],
  );
}

/** `<dir of the embedded database>/master.key`; only the embedded database has one. */
export function keyFilePath(target: DbTarget): string | null {
  return target.embedded && target.file && target.file !== ":memory:"
    ? join(dirname(target.file), KEY_FILE_NAME)
    : null;
}

/**
 * Reads the ring without side effects: INTG_MASTER_KEY (plus INTG_PREVIOUS_MASTER_KEYS), else the
 * embedded database's key file. Returns undefined when the embedded key file does not exist yet;
 * throws a CredentialError for any other database without INTG_MASTER_KEY.
 */
export function readMasterKeys(env: Env, target: DbTarget): MasterKeyRing | undefined {
  const fromEnv = env[MASTER_KEY_ENV]?.trim() ? parseMasterKeyText(env[MASTER_KEY_ENV]!, MASTER_KEY_ENV) : undefined;
  const envPrevious = parsePreviousKeys(env[PREVIOUS_KEYS_ENV]);
  const file = keyFilePath(target);
  // With INTG_MASTER_KEY set, an existing key file still lends its keys for reading, so that an
  // embedded database can move from its file to the variable by one rotate-master-key.
  const stored = file ? readKeyFile(file) : undefined;
  if (fromEnv) {
    const previous = [...envPrevious, ...(stored ? [stored.current, ...stored.previous] : [])];
    return {
      current: fromEnv,
      previous: distinct(fromEnv, previous),
      source: "env",
      file: stored ? file : null,
      created: false,
    };
  }
  if (!file) {
    throw new CredentialError(
      `No master key: set ${MASTER_KEY_ENV} to use secrets with ${target.redacted}.`,
      `${MASTER_KEY_ENV} is base64 of 32 bytes (e.g. openssl rand -base64 32). Only the embedded database keeps a key file of its own.`,
      "MASTER_KEY_MISSING",
    );
  }
  if (!stored) return undefined;
  return {
    current: stored.current,
    previous: distinct(stored.current, [...stored.previous, ...envPrevious]),
    source: "file",
    file,
    created: false,
  };
}

/**
 * The ring for a command. With `create`, the embedded database's key file is made on first need
 * (32 random bytes, mode 0600), under the master-key lock, but never while the database already
 * holds secrets: they were sealed under a key that has gone missing, and a fresh key would hide
 * that rather than fix it. `locked`: the caller holds the master-key lock already.
 */
export async function loadMasterKeys(
  ctx: ServiceContext,
  options: { create: boolean; locked?: boolean },
): Promise<MasterKeyRing | undefined> {
  const ring = readMasterKeys(ctx.env, ctx.db.target);
  if (ring || !options.create) return ring;
  return options.locked ? createRing(ctx) : withMasterKeyLock(ctx, () => createRing(ctx));
}

async function createRing(ctx: ServiceContext): Promise<MasterKeyRing> {
  const target = ctx.db.target;
  const ring = readMasterKeys(ctx.env, target); // again, under the lock: another process may have made it
  if (ring) return ring;
  const file = keyFilePath(target)!;
  const orphans = await sealedUnderKeyIds(ctx);
  if (orphans.length > 0) {
    throw new CredentialError(
      `The master key file ${file} is missing, but the database holds secrets under master key(s) ` +
        `${orphans.join(", ")}.`,
      `Restore ${file} from a backup, or set ${MASTER_KEY_ENV} (and ${PREVIOUS_KEYS_ENV}) to the key(s) they were sealed with.`,
      "MASTER_KEY_MISSING",
    );
  }
  const { contents, created } = createKeyFile(file, { current: generateMasterKey(), previous: [] });
  return {
    current: contents.current,
    previous: distinct(contents.current, parsePreviousKeys(ctx.env[PREVIOUS_KEYS_ENV])),
    source: "file",
    file,
    created,
  };
}

/** Like loadMasterKeys, but a missing key is an error: for commands that must read secrets. */
export async function requireMasterKeys(ctx: ServiceContext): Promise<MasterKeyRing> {
  const ring = await loadMasterKeys(ctx, { create: false });
  if (ring) return ring;
  const file = keyFilePath(ctx.db.target);
  throw new CredentialError(
    `No master key: the key file ${file} does not exist.`,
    `Restore it from a backup, or set ${MASTER_KEY_ENV}.`,
    "MASTER_KEY_MISSING",
  );
}

export function findKey(ring: MasterKeyRing, id: string): MasterKey | undefined {
  return ring.current.id === id ? ring.current : ring.previous.find((k) => k.id === id);
}

/** A row's key, or a CredentialError naming the missing key id and where keys come from. */
export function requireKey(ring: MasterKeyRing, id: string, what: string): MasterKey {
  const key = findKey(ring, id);
  if (key) return key;
  const available = [ring.current, ...ring.previous].map((k) => k.id).join(", ");
  throw new CredentialError(
    `${what} is encrypted under master key ${id}, which is not available (available: ${available}).`,
    ring.source === "env"
      ? `Add that key to ${PREVIOUS_KEYS_ENV} (base64, comma-separated), or set ${MASTER_KEY_ENV} to it.`
      : `Restore a key file that holds it, or set ${PREVIOUS_KEYS_ENV} to it (base64).`,
    "MASTER_KEY_UNAVAILABLE",
  );
}

function distinct(current: MasterKey, keys: MasterKey[]): MasterKey[] {
  const seen = new Set([current.id]);
  return keys.filter((k) => !seen.has(k.id) && Boolean(seen.add(k.id)));
}

/**
 * The ring a sealing write seals under (secrets set, connection credentials, endpoint signing
 * secrets). It refuses, exit 4, when sealed rows exist and none of them opens under the ring: the
 * configured key is not this store's, and sealing under it would split the store across two keys.
 * By key id first, then by opening one such row, so a row relabelled with a key id it was not
 * sealed under does not pass. `startOver` (secrets set --new-master-key) skips the check.
 * `create: false` for a write to an existing row: a missing key is an error, not a new key file.
 */
export async function sealingRing(
  ctx: ServiceContext,
  options: { startOver?: boolean; create?: boolean } = {},
): Promise<MasterKeyRing> {
  let ring = options.create === false ? await requireMasterKeys(ctx) : (await loadMasterKeys(ctx, { create: true }))!;
  if (ring.created || options.startOver) return ring;
  const inUse = [...(await countByKey(ctx)).keys()];
  const opens = async (r: MasterKeyRing) => {
    const known = inUse.filter((id) => findKey(r, id));
    return known.length > 0 && (await opensOneRow(ctx, r, known));
  };
  if (inUse.length === 0 || (await opens(ring))) return ring;
  // A rotation may have moved every row to a key that the key file did not name yet when it was
  // read above: read it once more before calling the key wrong.
  if (ring.source === "file") ring = readMasterKeys(ctx.env, ctx.db.target) ?? ring;
  if (!(await opens(ring))) {
    throw new CredentialError(
      `The master key ${ring.current.id} (${ring.source === "env" ? MASTER_KEY_ENV : `key file ${ring.file}`}) ` +
        `opens none of the secrets already stored (they are under ${inUse.join(", ")}); nothing was written.`,
      `Set ${MASTER_KEY_ENV} (or ${PREVIOUS_KEYS_ENV}) to the key they were sealed with. To start the store ` +
        "over under this key on purpose, leaving the old secrets unreadable: intg secrets set <name> --new-master-key",
      "MASTER_KEY_MISMATCH",
    );
  }
  return ring;
}
