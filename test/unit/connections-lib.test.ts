import { describe, expect, it } from "vitest";
import { CredentialError, UsageError } from "../../src/errors.js";
import { openWithPassphrase, sealWithPassphrase } from "../../src/lib/passphrase.js";
import { RateLimiter, retryAfterMs } from "../../src/lib/rate-limit.js";
import {
  deserialiseCredential,
  parseCredential,
  serialiseCredential,
} from "../../src/services/connections/credential.js";

describe("RateLimiter", () => {
  it("lets a burst of one second's worth through, then spaces requests evenly", () => {
    let now = 0;
    const limiter = new RateLimiter(600, () => now); // 10/s: a burst of 10, then one per 100 ms
    const waits = Array.from({ length: 13 }, () => limiter.reserve());
    expect(waits.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(waits.slice(10)).toEqual([100, 200, 300]);
    now = 5000; // idle: the burst is available again
    expect(limiter.reserve()).toBe(0);
  });

  it("holds every request back after a pause (429 Retry-After)", () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now); // 1/s, burst 1
    expect(limiter.reserve()).toBe(0);
    now = 2000;
    limiter.pause(3000);
    expect(limiter.reserve()).toBe(3000);
    expect(limiter.reserve()).toBe(4000);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMs("2")).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs("soon")).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe("credentials by authentication type", () => {
  it("parses each form and round-trips through the stored text", () => {
    const cases = [
      ["API_KEY", "k-123"],
      ["BEARER_TOKEN", "t-456"],
      ["HMAC", "h-789"],
      ["BASIC", "ann:pa:ss"],
      ["BASIC", '{"username":"ann","password":"x"}'],
      ["OAUTH2_CLIENT_CREDENTIALS", '{"clientId":"a","clientSecret":"b"}'],
      ["OAUTH2_REFRESH_TOKEN", '{"clientId":"a","refreshToken":"r"}'],
    ] as const;
    for (const [type, text] of cases) {
      const parsed = parseCredential(type, text);
      expect(deserialiseCredential(type, serialiseCredential(parsed))).toEqual(parsed);
    }
    expect(parseCredential("BASIC", "ann:pa:ss")).toEqual({ kind: "basic", username: "ann", password: "pa:ss" });
    expect(parseCredential("NONE", "")).toEqual({ kind: "none" });
  });

  it("refuses a malformed credential without repeating it", () => {
    const secret = "s3cr3t-value-that-must-not-leak";
    const bad: [Parameters<typeof parseCredential>[0], string][] = [
      ["BASIC", secret],
      ["OAUTH2_CLIENT_CREDENTIALS", secret],
      ["OAUTH2_CLIENT_CREDENTIALS", JSON.stringify({ clientId: secret })],
      ["OAUTH2_REFRESH_TOKEN", JSON.stringify({ clientId: "a", refreshToken: "r", extra: secret })],
      ["BEARER_TOKEN", `${secret}\nsecond line`],
    ];
    for (const [type, text] of bad) {
      const error = (() => {
        try {
          parseCredential(type, text);
        } catch (e) {
          return e as UsageError;
        }
      })();
      expect(error, `${type}: ${text}`).toBeInstanceOf(UsageError);
      expect(`${error!.message} ${error!.hint}`).not.toContain(secret);
    }
  });
});

describe("passphrase envelopes", () => {
  it("open with the passphrase, and refuse a wrong one or an altered envelope (exit 4)", () => {
    const sealed = sealWithPassphrase("correct horse battery staple", '{"sec_1":"value"}');
    expect(sealed).toMatch(/^p1\./);
    expect(sealed).not.toContain("value");
    expect(openWithPassphrase("correct horse battery staple", sealed)).toBe('{"sec_1":"value"}');
    expect(() => openWithPassphrase("wrong horse battery staple", sealed)).toThrow(CredentialError);
    expect(() => openWithPassphrase("correct horse battery staple", sealed.slice(0, -2) + "AA")).toThrow(
      CredentialError,
    );
    expect(() => openWithPassphrase("x", "not an envelope")).toThrow(/not a readable envelope/);
  });
});
