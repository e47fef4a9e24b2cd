import type { WebhookVerificationFailure } from "../types/integration/webhook.types.js";
import { BASE64, HEX, STANDARD_KEY, STRIPE_KEY, type Derivation, type Encoding } from "./webhook-diagnose.js";

// Reads the signature headers of the two schemes `webhooks verify` knows:
// - Standard Webhooks v1 (also sent as `svix-*` by Svix): webhook-id, webhook-timestamp and
//   webhook-signature, a space-separated list of `v1,<base64>`; signed content `id.timestamp.body`.
// - Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`; signed content `t.body`.
// A header that is missing or does not follow its scheme is reported here, before any HMAC.

export interface SignedRequest {
  scheme: "standard-webhooks" | "stripe";
  messageId: string | null;
  /** Unix seconds. */
  timestamp: number;
  /** The encoded signatures of the scheme's current version (v1), as sent. */
  signatures: string[];
  /** What precedes the body in the signed content. */
  prefix: string;
  /** The scheme's own key derivation and signature encoding. */
  derivation: Derivation;
  encoding: Encoding;
}

export type ParsedSignature =
  | { ok: true; scheme: SignedRequest["scheme"]; signed: SignedRequest }
  | {
      ok: false;
      scheme: SignedRequest["scheme"] | null;
      failure: Extract<WebhookVerificationFailure, "missing_headers" | "malformed_header">;
      problem: string;
    };

const SW_HEADERS = ["id", "timestamp", "signature"] as const;

export function parseSignatureHeaders(headers: Record<string, string>): ParsedSignature {
  // Svix sends the same scheme under its own prefix; either set is accepted, not a mix.
  const prefix = ["webhook-", "svix-"].find((p) => SW_HEADERS.some((h) => headers[p + h] !== undefined));
  if (prefix) return parseStandard(headers, prefix);
  if (headers["stripe-signature"] !== undefined) return parseStripe(headers["stripe-signature"]);
  return {
    ok: false,
    scheme: null,
    failure: "missing_headers",
    problem:
      "The request has no signature headers: neither webhook-id/webhook-timestamp/webhook-signature (Standard Webhooks) nor Stripe-Signature.",
  };
}

function parseStandard(headers: Record<string, string>, prefix: string): ParsedSignature {
  const scheme = "standard-webhooks";
  const bad = (failure: "missing_headers" | "malformed_header", problem: string): ParsedSignature => ({
    ok: false,
    scheme,
    failure,
    problem,
  });
  const missing = SW_HEADERS.map((h) => prefix + h).filter((h) => !headers[h]?.trim());
  if (missing.length)
    return bad(
      "missing_headers",
      `The request lacks ${missing.join(" and ")}: Standard Webhooks signs the id, the timestamp and the body together, so all three headers are needed.`,
    );
  const id = headers[`${prefix}id`]!.trim();
  const ts = headers[`${prefix}timestamp`]!.trim();
  if (!/^\d{1,12}$/.test(ts))
    return bad(
      "malformed_header",
      `${prefix}timestamp "${ts.slice(0, 40)}" is not Unix seconds (whole seconds since 1970; milliseconds or a date are common mistakes).`,
    );
  const entries = headers[`${prefix}signature`]!.trim().split(/\s+/);
  const versioned = entries.filter((e) => /^v\d+[a-z]?,./.test(e));
  if (versioned.length !== entries.length) {
    return bad(
      "malformed_header",
      `${prefix}signature must be space-separated "v1,<base64>" entries; "${entries.find((e) => !versioned.includes(e))!.slice(0, 20)}…" is not one (a comma-separated list or "v1=" is a common mistake).`,
    );
  }
  const signatures = versioned.filter((e) => e.startsWith("v1,")).map((e) => e.slice(3));
  if (!signatures.length)
    return bad(
      "malformed_header",
      `${prefix}signature holds no v1 signature (only ${[...new Set(versioned.map((e) => e.split(",")[0]))].join(", ")}), and v1 is the scheme verified here.`,
    );
  return {
    ok: true,
    scheme,
    signed: {
      scheme,
      messageId: id,
      timestamp: Number(ts),
      signatures,
      prefix: `${id}.${ts}.`,
      derivation: STANDARD_KEY,
      encoding: BASE64,
    },
  };
}

function parseStripe(header: string): ParsedSignature {
  const scheme = "stripe";
  const bad = (problem: string): ParsedSignature => ({ ok: false, scheme, failure: "malformed_header", problem });
  const items = header.split(",").map((p) => p.trim());
  const pairs = items.map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)] as const);
  if (items.some((p) => !p.includes("=")))
    return bad('Stripe-Signature must be comma-separated "key=value" items: "t=<unix seconds>,v1=<hex>".');
  const ts = pairs.filter(([k]) => k === "t").map(([, v]) => v);
  if (ts.length !== 1 || !/^\d{1,12}$/.test(ts[0]!))
    return bad('Stripe-Signature needs exactly one "t=<unix seconds>".');
  const signatures = pairs.filter(([k]) => k === "v1").map(([, v]) => v);
  if (!signatures.length)
    return bad('Stripe-Signature holds no "v1=" signature (v0 is Stripe\'s test-mode scheme and is not accepted).');
  return {
    ok: true,
    scheme,
    signed: {
      scheme,
      messageId: null,
      timestamp: Number(ts[0]),
      signatures,
      prefix: `${ts[0]}.`,
      derivation: STRIPE_KEY,
      encoding: HEX,
    },
  };
}

/**
 * The headers a receiver needs to verify and route a webhook request. Forwarding to another URL
 * (listen --forward-to, replay --from --to) sends only these: an endpoint's own headers often
 * carry that endpoint's credentials, and hop-by-hop ones belong to the connection.
 */
export const WEBHOOK_REQUEST_HEADERS = /^(content-type|user-agent|webhook-.*|svix-.*|stripe-signature)$/;
