import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { parseCapturedRequest } from "../../src/lib/http-request-parse.js";
import { sign } from "../../src/lib/webhook-signing.js";
import { parseSecretFile, verifyRequest } from "../../src/lib/webhook-verify.js";
import type {
  WebhookSecurityValidation,
  WebhookVerificationFailure,
} from "../../src/types/integration/webhook.types.js";

// The fixtures are written by test/fixtures/webhooks/generate.mjs, each by a sender that made one
// real mistake; "now" is pinned 10 s after their signing time.
const TS = 1614265330;
const NOW = new Date((TS + 10) * 1000);
const fixture = (name: string) => readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url));
const SECRETS = parseSecretFile(fixture("secrets.txt").toString());
const SECRET = SECRETS[0]!;

function verify(name: string, secrets = SECRETS, toleranceMs = 300_000): WebhookSecurityValidation {
  return verifyRequest(parseCapturedRequest(fixture(name)), { secrets, now: NOW, toleranceMs, explain: true });
}

describe("webhooks verify: the scheme's own rule", () => {
  it("accepts the Standard Webhooks spec's test vector, as HTTP text and as JSON", () => {
    for (const name of ["valid.http", "valid.json"]) {
      const r = verify(name);
      expect(r).toMatchObject({
        valid: true,
        failure: null,
        scheme: "standard-webhooks",
        messageId: "msg_p5jXN8AQM9LWM0D4loKWxJek",
        secretIndex: 0,
        signatureCount: 1,
        warnings: [],
      });
      expect(r.timestamp).toBe("2021-02-25T15:02:10.000Z");
      expect(r.skewMs).toBe(10_000);
    }
    expect(fixture("valid.http").toString()).toContain("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("accepts what the standardwebhooks package signs, and what our own signer signs", () => {
    const body = JSON.stringify({ type: "user.created", data: { id: 1, name: "Ünïcode" } });
    const now = new Date();
    const ts = Math.floor(now.getTime() / 1000);
    const theirs = new Webhook(SECRET).sign("msg_interop", new Date(ts * 1000), body);
    for (const signature of [theirs, sign(SECRET, "msg_interop", ts, body)]) {
      const headers = { "webhook-id": "msg_interop", "webhook-timestamp": String(ts), "webhook-signature": signature };
      expect(
        verifyRequest(
          { headers, body: Buffer.from(body) },
          { secrets: SECRETS, now, toleranceMs: 300_000, explain: false },
        ).valid,
      ).toBe(true);
      // And the package accepts the same request: the two agree on the scheme.
      expect(() => new Webhook(SECRET).verify(body, headers)).not.toThrow();
    }
    const tampered = verifyRequest(
      {
        headers: { "webhook-id": "msg_interop", "webhook-timestamp": String(ts), "webhook-signature": theirs },
        body: Buffer.from(body.replace("1", "2")),
      },
      { secrets: SECRETS, now, toleranceMs: 300_000, explain: false },
    );
    expect(tampered).toMatchObject({ valid: false, failure: "wrong_secret", explanation: null });
  });

  it("accepts Stripe's scheme: the whole whsec_ string as the key, a hex digest of t.body", () => {
    const r = verify("stripe-valid.http");
    expect(r).toMatchObject({ valid: true, scheme: "stripe", messageId: null, secretIndex: 0 });
    const body = '{"id":"evt_1","type":"charge.succeeded"}';
    const hex = createHmac("sha256", SECRET).update(`${TS}.${body}`).digest("hex");
    const headers = { "stripe-signature": `t=${TS},v1=${"0".repeat(64)},v1=${hex}` };
    expect(
      verifyRequest(
        { headers, body: Buffer.from(body) },
        { secrets: SECRETS, now: NOW, toleranceMs: 300_000, explain: false },
      ).valid,
    ).toBe(true);
  });

  it("accepts a signature made with an older secret of the file, and warns", () => {
    const r = verify("valid.http", parseSecretFile(fixture("secrets-rotated.txt").toString()));
    expect(r).toMatchObject({ valid: true, secretIndex: 1 });
    expect(r.warnings.join(" ")).toMatch(/older secret/);
  });
});

describe("webhooks verify --explain names the cause of each broken request", () => {
  const cases: [string, WebhookVerificationFailure, RegExp][] = [
    ["body-reserialized.http", "body_reserialized", /JSON\.stringify\(JSON\.parse\(body\)\).*not the bytes received/],
    ["trailing-newline.http", "body_reserialized", /without its trailing newline/],
    ["wrong-secret.http", "wrong_secret", /No secret in the file produced the signature/],
    [
      "key-derivation.http",
      "secret_key_derivation",
      /whole whsec_… string used as the key.*Standard Webhooks base64-decodes/,
    ],
    [
      "stripe-key-derivation.http",
      "secret_key_derivation",
      /base64-decoded bytes after whsec_.*Stripe uses the whole whsec_/,
    ],
    ["hex-signature.http", "signature_encoding", /hex-encoded, but Standard Webhooks sends the HMAC base64-encoded/],
    ["stripe-base64.http", "signature_encoding", /base64-encoded, but Stripe sends the HMAC hex-encoded/],
    [
      "clock-skew.http",
      "timestamp_too_old",
      /1h10s in the past, beyond the tolerance of 5m; the signature itself is valid/,
    ],
    ["rotated-unknown.http", "rotated_secret", /carries 2 signatures.*add the sender's new secret/],
    ["missing-header.http", "missing_headers", /lacks webhook-timestamp/],
    ["malformed-header.http", "malformed_header", /space-separated "v1,<base64>" entries/],
  ];
  it.each(cases)("%s: %s", (name, failure, explanation) => {
    const r = verify(name);
    expect(r.valid).toBe(false);
    expect(r.failure).toBe(failure);
    expect(r.explanation).toMatch(explanation);
    // Never a secret in what is printed.
    expect(JSON.stringify(r)).not.toContain(SECRET.slice(6));
  });

  it("says how far in the future a timestamp is", () => {
    const r = verifyRequest(parseCapturedRequest(fixture("valid.http")), {
      secrets: SECRETS,
      now: new Date((TS - 600) * 1000),
      toleranceMs: 300_000,
      explain: true,
    });
    expect(r).toMatchObject({ valid: false, failure: "timestamp_too_new", skewMs: -600_000 });
    expect(r.explanation).toMatch(/10m in the future/);
  });

  it("a wider tolerance accepts the skewed request; explanations only when asked", () => {
    expect(verify("clock-skew.http", SECRETS, 2 * 3600_000).valid).toBe(true);
    const quiet = verifyRequest(parseCapturedRequest(fixture("hex-signature.http")), {
      secrets: SECRETS,
      now: NOW,
      toleranceMs: 300_000,
      explain: false,
    });
    expect(quiet).toMatchObject({ valid: false, failure: "signature_encoding", explanation: null });
  });

  it("names a rotated secret when the signature matches an older line only after a fix", () => {
    const r = verify("hex-signature.http", parseSecretFile(fixture("secrets-rotated.txt").toString()));
    expect(r).toMatchObject({ failure: "signature_encoding", secretIndex: 1 });
    expect(r.explanation).toMatch(/secret #2 in the file, an older one/);
  });

  it("reports a request with no signature headers at all", () => {
    const r = verifyRequest(
      { headers: { "content-type": "application/json" }, body: Buffer.from("{}") },
      { secrets: SECRETS, now: NOW, toleranceMs: 1, explain: true },
    );
    expect(r).toMatchObject({
      valid: false,
      failure: "missing_headers",
      scheme: null,
      timestamp: null,
      signatureCount: 0,
    });
  });

  it.each([
    ["webhook-timestamp in milliseconds", { "webhook-timestamp": String(TS * 1000 * 1000) }, /not Unix seconds/],
    ["only a v1a signature", { "webhook-signature": "v1a,abcd" }, /no v1 signature \(only v1a\)/],
  ])("malformed: %s", (_label, change, message) => {
    const headers = {
      "webhook-id": "msg_1",
      "webhook-timestamp": String(TS),
      "webhook-signature": sign(SECRET, "msg_1", TS, "{}"),
      ...change,
    };
    const r = verifyRequest(
      { headers, body: Buffer.from("{}") },
      { secrets: SECRETS, now: NOW, toleranceMs: 300_000, explain: true },
    );
    expect(r).toMatchObject({ valid: false, failure: "malformed_header" });
    expect(r.explanation).toMatch(message);
  });

  it.each([["t=abc,v1=00"], ["v1=00"], ["t=1,v0=00"], ["garbage"]])("malformed Stripe-Signature %s", (header) => {
    const r = verifyRequest(
      { headers: { "stripe-signature": header }, body: Buffer.from("{}") },
      { secrets: SECRETS, now: NOW, toleranceMs: 300_000, explain: true },
    );
    expect(r).toMatchObject({ valid: false, failure: "malformed_header", scheme: "stripe" });
  });
});
