import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { CredentialError } from "../errors.js";

// Credentials at rest (DESIGN §6): AES-256-GCM under a master key. The stored text is an envelope
//
//   v1.<keyId>.<base64url(nonce ‖ tag ‖ ciphertext)>
//
// so every ciphertext names the master key that sealed it, and rotation can find what is left to
// re-encrypt by that id alone. The key id is a fingerprint (SHA-256 of the key bytes, 16 hex
// characters): it identifies a key without revealing it.
//
// Each envelope is bound to its row by additional authenticated data (the row's id): copying one
// row's ciphertext into another fails authentication instead of handing out the wrong credential.

export const KEY_BYTES = 32;
const NONCE_BYTES = 12; // GCM's native nonce size; random per encryption
const TAG_BYTES = 16;
const VERSION = "v1";
const ENVELOPE = /^v1\.([0-9a-f]{16})\.([A-Za-z0-9_-]+)$/;

export interface MasterKey {
  /** First 16 hex characters of SHA-256 of the key bytes. Safe to print and store. */
  readonly id: string;
  readonly bytes: Buffer;
}

export function keyIdOf(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 16);
}

export function masterKeyFrom(bytes: Buffer): MasterKey {
  if (bytes.length !== KEY_BYTES) throw new RangeError(`a master key is ${KEY_BYTES} bytes, not ${bytes.length}`);
  return { id: keyIdOf(bytes), bytes: Buffer.from(bytes) };
}

export function generateMasterKey(): MasterKey {
  return masterKeyFrom(randomBytes(KEY_BYTES));
}

// The header is authenticated too, so an envelope cannot be relabelled with another version or key id.
function aadFor(keyId: string, context: string): Buffer {
  return Buffer.from(`${VERSION}.${keyId}.${context}`, "utf8");
}

/** Seals `plaintext` under `key`, bound to `context` (the owning row's id). */
export function encrypt(key: MasterKey, plaintext: string, context: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.bytes, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadFor(key.id, context));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${VERSION}.${key.id}.${Buffer.concat([nonce, cipher.getAuthTag(), data]).toString("base64url")}`;
}

/** The master key id an envelope names, or a CredentialError when the text is not an envelope. */
export function envelopeKeyId(envelope: string, label: string): string {
  return parse(envelope, label).keyId;
}

/**
 * Opens an envelope. `keys` is the one key to use or a lookup by id (a key ring); `label` names
 * the row in messages. Every failure is a CredentialError (exit 4) saying which: not an envelope,
 * sealed under a key that is not available, or failed authentication (altered, or moved from
 * another row). Never garbage.
 */
export function decrypt(
  keys: MasterKey | ((id: string) => MasterKey | undefined),
  envelope: string,
  context: string,
  label = context,
): string {
  const { keyId, nonce, tag, data } = parse(envelope, label);
  const key = typeof keys === "function" ? keys(keyId) : keys.id === keyId ? keys : undefined;
  if (!key) {
    throw new CredentialError(
      `${label} is encrypted under master key ${keyId}, which is not available.`,
      "Set INTG_MASTER_KEY to that key, or add it to INTG_PREVIOUS_MASTER_KEYS (base64, comma-separated).",
      "MASTER_KEY_UNAVAILABLE",
    );
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.bytes, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aadFor(keyId, context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString("utf8");
  } catch {
    // GCM tells only that authentication failed, not why; both causes are named.
    throw new CredentialError(
      `${label} could not be decrypted with master key ${keyId}: its ciphertext was altered or belongs to another row.`,
      "Restore it from a backup or set it again (intg secrets set).",
      "CIPHERTEXT_INVALID",
    );
  }
}

function parse(envelope: string, label: string): { keyId: string; nonce: Buffer; tag: Buffer; data: Buffer } {
  const m = ENVELOPE.exec(envelope);
  const raw = m ? Buffer.from(m[2]!, "base64url") : Buffer.alloc(0);
  if (!m || raw.length < NONCE_BYTES + TAG_BYTES) {
    throw new CredentialError(
      `${label} does not hold a readable ciphertext (expected a ${VERSION} envelope).`,
      "Set it again (intg secrets set).",
      "CIPHERTEXT_MALFORMED",
    );
  }
  return {
    keyId: m[1]!,
    nonce: raw.subarray(0, NONCE_BYTES),
    tag: raw.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES),
    data: raw.subarray(NONCE_BYTES + TAG_BYTES),
  };
}
