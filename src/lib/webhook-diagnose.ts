import type { WebhookVerificationFailure } from "../types/integration/webhook.types.js";
import { SECRET_PREFIX, secretKey } from "./webhook-signing.js";
import type { SignedRequest } from "./webhook-signature-headers.js";

// The usual reasons a correct sender's signature fails at a receiver (webhooks anchor §3, #1):
// each is a way to compute or encode the HMAC that a receiver or sender mixes up. webhook-verify
// tries them only after the scheme's own rule failed, and names the one that reproduces the
// signature; a cause is never guessed.

export interface Derivation {
  name: string;
  /** The HMAC key a secret stands for under this rule; null when the rule cannot apply. */
  key(secret: string): Buffer | null;
}

export interface Encoding {
  name: string;
  decode(text: string): Buffer | null;
}

export interface BodyVariant {
  /** How the bytes were made from the body received; null for the body itself. */
  label: string | null;
  bytes: Buffer;
}

export interface Attempt {
  secretIndex: number;
  derivation: Derivation;
  encoding: Encoding;
  body: BodyVariant;
  mac: Buffer;
}

/** Standard Webhooks: base64-decode the part after `whsec_`. */
export const STANDARD_KEY: Derivation = {
  name: "standard-webhooks",
  key: (secret) => {
    try {
      return secretKey(secret);
    } catch {
      return null;
    }
  },
};
/** Stripe: the whole `whsec_…` string, as text, is the key. */
export const STRIPE_KEY: Derivation = { name: "stripe", key: (secret) => Buffer.from(secret, "utf8") };
/** A third mix-up seen in the wild: the text after `whsec_`, neither decoded nor prefixed. */
const TEXT_KEY: Derivation = {
  name: "text-after-prefix",
  key: (secret) => (secret.startsWith(SECRET_PREFIX) ? Buffer.from(secret.slice(SECRET_PREFIX.length), "utf8") : null),
};
export const DERIVATIONS: readonly Derivation[] = [STANDARD_KEY, STRIPE_KEY, TEXT_KEY];

const decoder = (name: string, pattern: RegExp, encoding: BufferEncoding): Encoding => ({
  name,
  decode: (text) => (pattern.test(text) ? Buffer.from(text, encoding) : null),
});
export const BASE64 = decoder("base64", /^[A-Za-z0-9+/]+={0,2}$/, "base64");
export const HEX = decoder("hex", /^(?:[0-9a-fA-F]{2})+$/, "hex");
const BASE64URL = decoder("base64url", /^[A-Za-z0-9_-]+$/, "base64url");
export const ENCODINGS: readonly Encoding[] = [BASE64, HEX, BASE64URL];

/** The bytes a sender or a framework may have signed instead of the body as received. */
export function bodyVariants(body: Buffer): BodyVariant[] {
  const variants: BodyVariant[] = [{ label: null, bytes: body }];
  const add = (label: string, text: string) => {
    const bytes = Buffer.from(text, "utf8");
    if (!variants.some((v) => v.bytes.equals(bytes))) variants.push({ label, bytes });
  };
  const text = body.toString("utf8");
  let parsed: unknown;
  let isJson = false;
  try {
    parsed = JSON.parse(text);
    isJson = true;
  } catch {
    // Not JSON: only the whitespace variants below apply.
  }
  if (isJson) {
    add("JSON.stringify(JSON.parse(body)), the compact re-serialisation", JSON.stringify(parsed));
    add("the body pretty-printed with 2 spaces", JSON.stringify(parsed, null, 2));
    add("the body pretty-printed with 4 spaces", JSON.stringify(parsed, null, 4));
    add("the body pretty-printed with tabs", JSON.stringify(parsed, null, "\t"));
    add("the body re-serialised with its keys sorted", JSON.stringify(sortKeys(parsed)));
  }
  add("the body without its trailing newline", text.replace(/\r?\n+$/, ""));
  add("the body with a trailing newline", `${text}\n`);
  return variants;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

const SCHEME_NAMES = { "standard-webhooks": "Standard Webhooks", stripe: "Stripe" } as const;

/** The failure to report for a signature that only an alternative reproduced, and why. */
export function explainFailure(
  signed: SignedRequest,
  found: Attempt,
): { failure: WebhookVerificationFailure; text: string } {
  const scheme = SCHEME_NAMES[signed.scheme];
  const causes: { failure: WebhookVerificationFailure; text: string }[] = [];
  if (found.body.label !== null) {
    causes.push({
      failure: "body_reserialized",
      text: `The signature matches ${found.body.label}, not the bytes received: the body was parsed and written again (or its whitespace changed) between signing and verifying. Verify the raw request body, byte for byte.`,
    });
  }
  if (found.derivation !== signed.derivation) {
    causes.push({
      failure: "secret_key_derivation",
      text: `The HMAC key was derived the wrong way: the signature matches ${derivationText(found.derivation)}, but ${scheme} ${schemeKeyText(signed)}.`,
    });
  }
  if (found.encoding !== signed.encoding) {
    causes.push({
      failure: "signature_encoding",
      text: `The signature is ${found.encoding.name}-encoded, but ${scheme} sends the HMAC ${signed.encoding.name}-encoded; the HMAC itself is right.`,
    });
  }
  const which =
    found.secretIndex === 0 ? "" : ` (It was made with secret #${found.secretIndex + 1} in the file, an older one.)`;
  return { failure: causes[0]!.failure, text: causes.map((c) => c.text).join(" ") + which };
}

function derivationText(d: Derivation): string {
  if (d === STRIPE_KEY) return "the whole whsec_… string used as the key, as Stripe does";
  if (d === STANDARD_KEY) return "the base64-decoded bytes after whsec_ used as the key, as Standard Webhooks does";
  return "the text after whsec_ used as the key without base64-decoding it";
}

function schemeKeyText(signed: SignedRequest): string {
  return signed.derivation === STANDARD_KEY
    ? "base64-decodes the part after whsec_ and uses those bytes as the key"
    : "uses the whole whsec_… string, prefix included, as the key";
}
