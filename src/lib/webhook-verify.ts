import { createHmac, timingSafeEqual } from "node:crypto";
import type { WebhookSecurityValidation, WebhookVerificationFailure } from "../types/integration/webhook.types.js";
import { formatDuration } from "./duration.js";
import type { CapturedRequest } from "./http-request-parse.js";
import {
  bodyVariants,
  DERIVATIONS,
  ENCODINGS,
  explainFailure,
  type Attempt,
  type Derivation,
  type Encoding,
} from "./webhook-diagnose.js";
import { parseSignatureHeaders, type SignedRequest } from "./webhook-signature-headers.js";

// Verifies a captured request against the secrets of a secret file, for `webhooks verify` and
// `webhooks listen`. The scheme's own rule is tried first (every secret: the file may list a
// rotated one); only when it fails are the usual mistakes tried (other key derivation, hex vs
// base64, a re-serialised body), because a diagnosis is only worth giving when it was proven.

export interface VerifyOptions {
  /** First the current secret, then older ones still accepted during a rotation. */
  secrets: readonly string[];
  now: Date;
  toleranceMs: number;
  /** Fill `explanation` with a sentence naming the cause. */
  explain: boolean;
}

/** The secrets of a secret file: one a line; blank lines and `#` comments are skipped. */
export function parseSecretFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

export function verifyRequest(request: CapturedRequest, options: VerifyOptions): WebhookSecurityValidation {
  const parsed = parseSignatureHeaders(request.headers);
  const base = {
    scheme: parsed.scheme,
    messageId: parsed.ok ? parsed.signed.messageId : null,
    timestamp: parsed.ok ? new Date(parsed.signed.timestamp * 1000).toISOString() : null,
    skewMs: parsed.ok ? options.now.getTime() - parsed.signed.timestamp * 1000 : null,
    toleranceMs: options.toleranceMs,
    secretIndex: null as number | null,
    signatureCount: parsed.ok ? parsed.signed.signatures.length : 0,
    warnings: [] as string[],
  };
  const fail = (failure: WebhookVerificationFailure, explanation: string): WebhookSecurityValidation => ({
    ...base,
    valid: false,
    failure,
    explanation: options.explain ? explanation : null,
  });
  if (!parsed.ok) return fail(parsed.failure, parsed.problem);
  const signed = parsed.signed;
  const skew = skewProblem(base.skewMs!, options.toleranceMs);

  const exact = findMatch(signed, request.body, options.secrets, [signed.derivation], [signed.encoding], false);
  if (exact) {
    base.secretIndex = exact.secretIndex;
    if (skew)
      return fail(
        skew.failure,
        `${skew.text}; the signature itself is valid (${secretName(exact.secretIndex)}), so only the clock or a delayed or replayed request is at fault.`,
      );
    if (exact.secretIndex > 0) {
      base.warnings.push(
        `The signature was made with ${secretName(exact.secretIndex)}, an older secret: the sender has not moved to the first one yet. Remove the old secret only once it has.`,
      );
    }
    return { ...base, valid: true, failure: null, explanation: null };
  }

  // Fewest departures from the scheme first, so the diagnosis names the smallest explanation.
  const near = findMatch(signed, request.body, options.secrets, DERIVATIONS, ENCODINGS, true);
  const skewNote = skew ? ` Also: ${skew.text}.` : "";
  if (near) {
    base.secretIndex = near.secretIndex;
    const { failure, text } = explainFailure(signed, near);
    return fail(failure, text + skewNote);
  }
  if (signed.signatures.length > 1) {
    return fail(
      "rotated_secret",
      `The request carries ${signed.signatures.length} signatures, as a sender does while rotating its secret, and none was made with any of the ${options.secrets.length} secret(s) in the file: add the sender's new secret to the file.${skewNote}`,
    );
  }
  return fail(
    "wrong_secret",
    `No secret in the file produced the signature, with the raw body or a re-serialised one, with either key derivation (Standard Webhooks or Stripe) or signature encoding (base64 or hex): the secret is wrong, or the body was changed in transit.${skewNote}`,
  );
}

function skewProblem(
  skewMs: number,
  toleranceMs: number,
): { failure: WebhookVerificationFailure; text: string } | null {
  if (Math.abs(skewMs) <= toleranceMs) return null;
  const by = formatSeconds(Math.abs(skewMs));
  const beyond = `beyond the tolerance of ${formatSeconds(toleranceMs)}`;
  return skewMs > 0
    ? { failure: "timestamp_too_old", text: `The timestamp is ${by} in the past, ${beyond}` }
    : { failure: "timestamp_too_new", text: `The timestamp is ${by} in the future, ${beyond} (is a clock ahead?)` };
}

// Whole seconds: the timestamp has no finer grain, and "5m3s" reads better than "5m3s210ms".
function formatSeconds(ms: number): string {
  return formatDuration(Math.round(ms / 1000) * 1000);
}

export function secretName(index: number): string {
  return index === 0 ? "the first secret in the file" : `secret #${index + 1} in the file`;
}

function findMatch(
  signed: SignedRequest,
  body: Buffer,
  secrets: readonly string[],
  derivations: readonly Derivation[],
  encodings: readonly Encoding[],
  variants: boolean,
): Attempt | null {
  const bodies = variants ? bodyVariants(body) : [{ label: null, bytes: body }];
  const candidates: Attempt[] = [];
  secrets.forEach((secret, secretIndex) => {
    for (const derivation of derivations) {
      const key = derivation.key(secret);
      if (!key) continue;
      for (const b of bodies) {
        const mac = createHmac("sha256", key).update(signed.prefix).update(b.bytes).digest();
        for (const encoding of encodings) candidates.push({ secretIndex, derivation, encoding, body: b, mac });
      }
    }
  });
  const departures = (a: Attempt) =>
    Number(a.derivation !== signed.derivation) + Number(a.encoding !== signed.encoding) + Number(a.body.label !== null);
  candidates.sort((a, b) => departures(a) - departures(b) || a.secretIndex - b.secretIndex);
  for (const attempt of candidates) {
    for (const text of signed.signatures) {
      const got = attempt.encoding.decode(text);
      // Constant-time: the length of an HMAC-SHA256 is public, its bytes are not.
      if (got && got.length === attempt.mac.length && timingSafeEqual(got, attempt.mac)) return attempt;
    }
  }
  return null;
}
