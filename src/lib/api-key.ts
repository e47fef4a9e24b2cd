import { nodeCrypto, nodeZlib } from "./lazy-builtins.js";
import { sha256Hex } from "./sha256.js";

// Key format v1, after GitHub's tokens: `<prefix>_<env>_<random><checksum>`.
//   prefix    recognisable, so a leaked key is attributed at a glance and by secret scanners
//   env       live | test, so a test key can't be mistaken for a live one
//   random    32 bytes from the CSPRNG (256 bits) in base62: 43 characters
//   checksum  CRC-32 of everything before it, base62, 6 characters: tells a well-formed key
//             from a typo or a truncated paste without asking the database
// base62 keeps the key one "word" (double-click selects it) and URL-safe.
export const KEY_FORMAT_VERSION = 1;
export const DEFAULT_KEY_PREFIX = "intg";
export const KEY_ENVIRONMENTS = ["live", "test"] as const;
export type KeyEnvironment = (typeof KEY_ENVIRONMENTS)[number];

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_LEN = 43; // ceil(256 / log2(62))
const CHECKSUM_LEN = 6; // ceil(32 / log2(62))
export const PREFIX_PATTERN = /^[a-z][a-z0-9]{1,15}$/;
const KEY_PATTERN = new RegExp(`^([a-z][a-z0-9]{1,15})_(live|test)_([0-9A-Za-z]{${RANDOM_LEN + CHECKSUM_LEN}})$`);

function base62(n: bigint, width: number): string {
  let out = "";
  for (let i = 0; i < width; i++, n /= 62n) out = ALPHABET[Number(n % 62n)] + out;
  return out;
}

// On every verification: a CRC-32 fits a double exactly, so plain numbers do (BigInt is slower).
function checksum(body: string): string {
  let n = nodeZlib().crc32(body);
  let out = "";
  for (let i = 0; i < CHECKSUM_LEN; i++, n = Math.floor(n / 62)) out = ALPHABET[n % 62] + out;
  return out;
}

export interface GeneratedKey {
  key: string;
  hash: string;
  /** What lists show: the prefix, environment and first characters; then the last ones. */
  start: string;
  end: string;
}

export function generateKey(prefix: string, environment: KeyEnvironment): GeneratedKey {
  const random = base62(BigInt("0x" + nodeCrypto().randomBytes(32).toString("hex")), RANDOM_LEN);
  const body = `${prefix}_${environment}_${random}`;
  const key = body + checksum(body);
  return { key, hash: hashKey(key), start: `${prefix}_${environment}_${random.slice(0, 4)}`, end: key.slice(-4) };
}

/**
 * SHA-256 of the whole key. A fast hash is right here: the key has 256 bits of entropy, so a
 * slow password hash would only slow every verification (as Unkey and GitHub also conclude).
 */
export function hashKey(key: string): string {
  // A one-shot `keys verify` hashes once and need not load node:crypto (sha256.ts).
  return sha256Hex(key);
}

/** Constant-time comparison of two hex digests (no early exit on the first difference). */
export function hashesEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export type Identification =
  | { wellFormed: true; prefix: string; environment: KeyEnvironment; formatVersion: number }
  | { wellFormed: false; reason: string };

/** Offline: whether a string is a well-formed intg key, and what it says about itself. */
export function identifyKey(text: string): Identification {
  const m = KEY_PATTERN.exec(text);
  if (!m) {
    if (!/^[a-z][a-z0-9]{1,15}_(live|test)_/.test(text))
      return { wellFormed: false, reason: "not in the intg key format (<prefix>_<live|test>_<random><checksum>)" };
    return {
      wellFormed: false,
      reason: `wrong length or characters after the prefix: expected ${RANDOM_LEN + CHECKSUM_LEN} base62 characters`,
    };
  }
  const body = text.slice(0, -CHECKSUM_LEN);
  if (checksum(body) !== text.slice(-CHECKSUM_LEN))
    return { wellFormed: false, reason: "checksum mismatch: the key was mistyped or truncated" };
  return { wellFormed: true, prefix: m[1]!, environment: m[2] as KeyEnvironment, formatVersion: KEY_FORMAT_VERSION };
}
