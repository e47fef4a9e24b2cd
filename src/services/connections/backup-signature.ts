import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { CredentialError, UsageError } from "../../errors.js";
import { passphraseMacKey } from "../../lib/passphrase.js";
import type { BackupSignature, IntegrationBackup } from "../../types/integration/integration.types.js";
import { sortKeys } from "../audit/chain.js";
import { requireKey, type MasterKeyRing } from "../secrets/master-key.js";

// A backup is authenticated whole (DESIGN §6): an HMAC over the canonical JSON of everything in
// the file but the signature itself. With --include-secrets the key comes from the passphrase
// (the database it is restored into may not share the master key); without, from the master key.
// Editing a provider's baseUrl in the file, or adding a connection, makes restore refuse it.

type Unsigned = Omit<IntegrationBackup, "signature"> & { signature?: unknown };

function canonical(backup: Unsigned): string {
  const { signature: _signature, ...rest } = backup;
  return JSON.stringify(sortKeys(JSON.parse(JSON.stringify(rest))));
}

const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest("base64url");
const masterMacKey = (bytes: Buffer) => Buffer.from(hkdfSync("sha256", bytes, Buffer.alloc(0), "intg backup v1", 32));

export function signBackup(backup: Unsigned, by: { passphrase: string } | { ring: MasterKeyRing }): BackupSignature {
  if ("passphrase" in by) {
    const salt = randomBytes(16);
    return {
      scheme: "passphrase",
      salt: salt.toString("base64url"),
      keyId: null,
      mac: hmac(passphraseMacKey(by.passphrase, salt), canonical(backup)),
    };
  }
  return {
    scheme: "master-key",
    salt: null,
    keyId: by.ring.current.id,
    mac: hmac(masterMacKey(by.ring.current.bytes), canonical(backup)),
  };
}

/** Throws (exit 4) unless the file's signature holds. `raw` is the file as parsed, before any schema check. */
export function verifyBackup(
  raw: Unsigned,
  by: { passphrase: string | null; ring: () => Promise<MasterKeyRing> },
): Promise<void> | void {
  const sig = raw.signature as Partial<BackupSignature> | null | undefined;
  if (!sig || typeof sig.mac !== "string") {
    throw new CredentialError(
      "The backup is not signed, so nothing vouches that it is what intg wrote; nothing was restored.",
      "Restore it anyway with --allow-unsigned, after reading it.",
      "BACKUP_UNSIGNED",
    );
  }
  const check = (key: Buffer) => {
    const want = Buffer.from(hmac(key, canonical(raw)));
    const got = Buffer.from(sig.mac!);
    if (want.length !== got.length || !timingSafeEqual(want, got)) {
      throw new CredentialError(
        `The backup was altered after it was written (its ${sig.scheme} signature does not match); nothing was restored.`,
        "Restore from an unaltered copy.",
        "BACKUP_ALTERED",
      );
    }
  };
  if (sig.scheme === "passphrase" && typeof sig.salt === "string") {
    // Missing input, as restore's own check says (exit 2); a wrong passphrase is a credential (exit 4).
    if (by.passphrase === null)
      throw new UsageError(
        "The backup is signed under a passphrase: give it on stdin or with --passphrase-file; nothing was restored.",
        undefined,
        "PASSPHRASE_REQUIRED",
      );
    return check(passphraseMacKey(by.passphrase, Buffer.from(sig.salt, "base64url")));
  }
  if (sig.scheme === "master-key" && typeof sig.keyId === "string") {
    return by.ring().then((ring) => check(masterMacKey(requireKey(ring, sig.keyId!, "The backup's signature").bytes)));
  }
  throw new CredentialError(
    "The backup's signature is not one intg writes; nothing was restored.",
    undefined,
    "BACKUP_SIGNATURE_INVALID",
  );
}
