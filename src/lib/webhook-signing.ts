import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";

// Standard Webhooks v1 (symmetric): the secret is `whsec_` + base64 of random bytes, the HMAC key
// is those bytes (base64-decoded, not the text), and a signature is `v1,<base64 HMAC-SHA256>` over
// `<webhook-id>.<webhook-timestamp>.<body>`, the body byte for byte as sent. Stripe's scheme uses
// the same prefix with a different key derivation; it must never share this code path.

export const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;

/** A new endpoint signing secret: 256 bits, inside the spec's 24–64 byte range. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString("base64");
}

/** The HMAC key a `whsec_…` secret stands for. */
export function secretKey(secret: string): Buffer {
  const text = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(text, "base64");
  if (key.length === 0) throw new RangeError("a signing secret must not be empty");
  return key;
}

// The delivery worker signs thousands of messages a second with a handful of secrets: decoding a
// secret and building its key object once each is a measurable share of an attempt.
const keyObjects = new Map<string, KeyObject>();
function keyObject(secret: string): KeyObject {
  let key = keyObjects.get(secret);
  if (!key) {
    if (keyObjects.size >= 1000) keyObjects.clear();
    keyObjects.set(secret, (key = createSecretKey(secretKey(secret))));
  }
  return key;
}

/** One `v1,<base64>` signature. `timestamp` is Unix seconds of the attempt. */
export function sign(secret: string, msgId: string, timestamp: number, body: string | Buffer): string {
  // The spec warns that the id and timestamp must not contain the separator.
  if (msgId.includes(".")) throw new RangeError("a webhook id must not contain '.'");
  if (!Number.isInteger(timestamp)) throw new RangeError("a webhook timestamp is whole seconds");
  // One update over the whole content when the body is text: each update is a call into native code.
  const hmac = createHmac("sha256", keyObject(secret));
  const mac = (
    typeof body === "string"
      ? hmac.update(`${msgId}.${timestamp}.${body}`)
      : hmac.update(`${msgId}.${timestamp}.`).update(body)
  ).digest("base64");
  return `v1,${mac}`;
}

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/**
 * The three headers of one attempt. During rotation graces the old secrets sign too: the header
 * holds one signature per secret, space-separated, and a receiver accepts the message if any verifies.
 */
export function signatureHeaders(
  secrets: readonly string[],
  msgId: string,
  timestamp: number,
  body: string | Buffer,
): SignedHeaders {
  return {
    "webhook-id": msgId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatureHeader(secrets, msgId, timestamp, body),
  };
}

/** The `webhook-signature` header alone (the delivery worker builds the rest of its headers itself). */
export function signatureHeader(
  secrets: readonly string[],
  msgId: string,
  timestamp: number,
  body: string | Buffer,
): string {
  if (secrets.length === 0) throw new RangeError("at least one secret signs");
  // Outside a rotation's grace one secret signs: no array and no join per attempt.
  if (secrets.length === 1) return sign(secrets[0]!, msgId, timestamp, body);
  return secrets.map((s) => sign(s, msgId, timestamp, body)).join(" ");
}

/** Whether any `v1` signature in a header matches; constant-time per comparison. Tolerance is the caller's. */
export function verifySignature(
  secret: string,
  msgId: string,
  timestamp: number,
  body: string | Buffer,
  header: string,
): boolean {
  const expected = Buffer.from(sign(secret, msgId, timestamp, body));
  return header.split(" ").some((candidate) => {
    const got = Buffer.from(candidate);
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}
