import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CredentialError } from "../../src/errors.js";
import { ExitCode, exitCodeOf } from "../../src/cli/exit-codes.js";
import { decrypt, encrypt, envelopeKeyId, generateMasterKey, keyIdOf, masterKeyFrom } from "../../src/lib/crypto.js";

const key = generateMasterKey();
const other = generateMasterKey();
const ROW = "sec_01HZZZZZZZZZZZZZZZZZZZZZZZ";

/** The CredentialError `fn` throws (exit 4), for its code and message. */
function credentialError(fn: () => unknown): CredentialError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialError);
    expect(exitCodeOf(error as CredentialError)).toBe(ExitCode.CREDENTIAL);
    return error as CredentialError;
  }
  throw new Error("expected a CredentialError");
}

/** Flips one bit of the envelope's binary part at `offset` (0: nonce, 12: tag, 28: data). */
function flip(envelope: string, offset: number): string {
  const [v, id, body] = envelope.split(".");
  const raw = Buffer.from(body!, "base64url");
  raw[offset]! ^= 0x01;
  return `${v}.${id}.${raw.toString("base64url")}`;
}

describe("AES-256-GCM envelopes", () => {
  it("round-trips, naming the key id and never holding the plaintext", () => {
    for (const text of ["sk_live_abc123", "ünïcødé ✓", "x".repeat(10_000)]) {
      const sealed = encrypt(key, text, ROW);
      expect(sealed).toMatch(/^v1\.[0-9a-f]{16}\.[A-Za-z0-9_-]+$/);
      expect(envelopeKeyId(sealed, ROW)).toBe(key.id);
      expect(sealed).not.toContain(text.slice(0, 12));
      expect(sealed).not.toContain(Buffer.from(text).toString("base64").slice(0, 12));
      expect(decrypt(key, sealed, ROW)).toBe(text);
    }
  });

  it("uses a fresh nonce every time", () => {
    const a = encrypt(key, "same", ROW);
    const b = encrypt(key, "same", ROW);
    expect(a).not.toBe(b);
    expect(Buffer.from(a.split(".")[2]!, "base64url").subarray(0, 12)).not.toEqual(
      Buffer.from(b.split(".")[2]!, "base64url").subarray(0, 12),
    );
  });

  it("identifies a key by a fingerprint of it, never the key", () => {
    const bytes = randomBytes(32);
    expect(keyIdOf(bytes)).toBe(createHash("sha256").update(bytes).digest("hex").slice(0, 16));
    expect(masterKeyFrom(bytes).id).toBe(keyIdOf(bytes));
    expect(() => masterKeyFrom(randomBytes(16))).toThrow(RangeError);
  });

  it("refuses a tampered nonce, tag or ciphertext with exit 4, never garbage", () => {
    const sealed = encrypt(key, "the real secret", ROW);
    for (const offset of [0, 11, 12, 27, 28, 30]) {
      const e = credentialError(() => decrypt(key, flip(sealed, offset), ROW, 'Secret "s"'));
      expect(e.code).toBe("CIPHERTEXT_INVALID");
      expect(e.message).toBe(
        `Secret "s" could not be decrypted with master key ${key.id}: its ciphertext was altered or belongs to another row.`,
      );
    }
  });

  it("refuses a ciphertext moved to another row (wrong additional data)", () => {
    const sealed = encrypt(key, "row A's token", ROW);
    expect(credentialError(() => decrypt(key, sealed, "sec_01HOTHERROWOTHERROWOTHERR")).code).toBe(
      "CIPHERTEXT_INVALID",
    );
  });

  it("names the missing key when the envelope was sealed under another", () => {
    const sealed = encrypt(key, "value", ROW);
    const e = credentialError(() => decrypt(other, sealed, ROW));
    expect(e.code).toBe("MASTER_KEY_UNAVAILABLE");
    expect(e.message).toContain(key.id);
    expect(e.message).not.toContain(key.bytes.toString("base64"));
    // A ring lookup that has no such key behaves the same.
    expect(credentialError(() => decrypt(() => undefined, sealed, ROW)).code).toBe("MASTER_KEY_UNAVAILABLE");
    expect(decrypt((id) => (id === key.id ? key : undefined), sealed, ROW)).toBe("value");
  });

  it("refuses a wrong key even when the envelope is relabelled with its id", () => {
    const sealed = encrypt(key, "value", ROW);
    const relabelled = sealed.replace(key.id, other.id);
    expect(credentialError(() => decrypt(other, relabelled, ROW)).code).toBe("CIPHERTEXT_INVALID");
    // And relabelling alone breaks authentication: the header is covered too.
    const forgedKey = masterKeyFrom(key.bytes);
    expect(credentialError(() => decrypt(() => forgedKey, relabelled, ROW)).code).toBe("CIPHERTEXT_INVALID");
  });

  it("refuses text that is not an envelope", () => {
    const sealed = encrypt(key, "value", ROW);
    for (const bad of [
      "",
      "plaintext",
      "v2" + sealed.slice(2),
      `v1.${key.id}.`,
      `v1.${key.id}.AAAA`,
      `v1.XYZ.${sealed.split(".")[2]}`,
      sealed + "!",
    ]) {
      expect(credentialError(() => decrypt(key, bad, ROW)).code, bad).toBe("CIPHERTEXT_MALFORMED");
    }
  });
});
