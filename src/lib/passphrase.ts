import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { CredentialError } from "../errors.js";

// Encryption under a passphrase, for backups that carry credentials to another database (which
// may not share the master key): scrypt derives the key, AES-256-GCM seals the data. The text is
//
//   p1.<base64url(salt)>.<base64url(nonce ‖ tag ‖ ciphertext)>

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const ENVELOPE = /^p1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

function keyFor(passphrase: string, salt: Buffer): Buffer {
  return scryptSync(passphrase.normalize("NFC"), salt, 32, SCRYPT);
}

export function sealWithPassphrase(passphrase: string, plaintext: string): string {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(passphrase, salt), nonce);
  cipher.setAAD(Buffer.from("p1"));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `p1.${salt.toString("base64url")}.${Buffer.concat([nonce, cipher.getAuthTag(), data]).toString("base64url")}`;
}

/** The plaintext, or a CredentialError: a wrong passphrase and an altered file look the same to GCM. */
export function openWithPassphrase(passphrase: string, envelope: string): string {
  const m = ENVELOPE.exec(envelope);
  const raw = m ? Buffer.from(m[2]!, "base64url") : Buffer.alloc(0);
  if (!m || raw.length < 28)
    throw new CredentialError(
      "The backup's secrets are not a readable envelope.",
      undefined,
      "BACKUP_SECRETS_MALFORMED",
    );
  try {
    const decipher = createDecipheriv(
      "aes-256-gcm",
      keyFor(passphrase, Buffer.from(m[1]!, "base64url")),
      raw.subarray(0, 12),
    );
    decipher.setAAD(Buffer.from("p1"));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    throw new CredentialError(
      "The passphrase does not open the backup's secrets (or the file was altered).",
      "Give the passphrase the backup was written with.",
      "BACKUP_PASSPHRASE_WRONG",
    );
  }
}

/** A MAC key from a passphrase and its own salt: the key that signs a whole backup file. */
export function passphraseMacKey(passphrase: string, salt: Buffer): Buffer {
  return keyFor(passphrase, salt);
}
