import { describe, expect, it } from "vitest";
import { headerRecord } from "../../src/services/webhooks/worker/response-headers.js";

// What the worker records of a response's headers must be the very bytes decoding and lower-casing
// each name gives (the record below), whatever the receiver sent: names in any case, repeated,
// not ASCII, or special to an object.

/** The record as decoding every name gave it: the reference. */
function decodedRecord(raw: readonly (Buffer | string | Buffer[])[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = String(raw[i]).toLowerCase();
    const v = raw[i + 1]!;
    const value = Array.isArray(v) ? v.map(String).join(", ") : String(v);
    out[name] = Object.hasOwn(out, name) ? `${out[name]}, ${value}` : value;
  }
  return out;
}

const b = (s: string) => Buffer.from(s, "utf8");
const raw = (...pairs: string[]) => pairs.map(b);
// Names receivers commonly send, spelled as registered (test data of our own: undici's table of
// well-known names is a private file of the package).
const COMMON = [
  "Accept-Ranges",
  "Access-Control-Allow-Origin",
  "Age",
  "Cache-Control",
  "Connection",
  "Content-Encoding",
  "Content-Length",
  "Content-Type",
  "Date",
  "ETag",
  "Expires",
  "Keep-Alive",
  "Last-Modified",
  "Location",
  "Retry-After",
  "Server",
  "Set-Cookie",
  "Strict-Transport-Security",
  "Transfer-Encoding",
  "Vary",
  "WWW-Authenticate",
  "X-Content-Type-Options",
  "X-Frame-Options",
  "X-Request-Id",
];
const upper = (s: string) => s.toUpperCase();
const alternate = (s: string) => [...s].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join("");

const CASES: Record<string, (Buffer | string | Buffer[])[]> = {
  "none at all": [],
  "node:http's own": raw("Content-Type", "text/plain", "Date", "Fri, 04 Dec 2026 22:00:00 GMT", "Connection", "close"),
  "common names, as registered": COMMON.flatMap((n, i) => [b(n), b(`v${i}`)]),
  "common names, upper case": COMMON.flatMap((n, i) => [b(upper(n)), b(`u${i}`)]),
  "common names, mixed case": COMMON.flatMap((n, i) => [b(alternate(n)), b(`m${i}`)]),
  "near misses": raw("Content", "prefix", "Content-Typex", "longer", "Dat", "short", "Content_Type", "underscore"),
  "a header repeated, in other cases": raw("Set-Cookie", "a=1", "X-A", "1", "set-cookie", "b=2", "SET-COOKIE", "c=3"),
  "bytes that are not ASCII": [
    Buffer.from([0x44, 0x61, 0x74, 0xc5]), // "Dat" and a non-ASCII byte where "e" would be
    b("one"),
    Buffer.from([0x64, 0x61, 0x74, 0x65, 0xff]),
    b("two"),
    Buffer.from([0xc4, 0xb0]), // İ: lower-cases to two characters
    b("three"),
  ],
  "names an object treats specially": raw("__proto__", "p", "constructor", "c", "123", "n", "X-Late", "l"),
  "escapes in values": raw("X-Q", 'a "quoted" \\ back\tslash\u0001', "Retry-After", "caf\u00e9 \u2028 \u{1f600}"),
  "a value as a list, and strings": [b("X-List"), [b("a"), b("b")], "Content-TYPE", "\ud800 lone"],
  "an odd count": raw("X-A", "1", "Date"),
};

describe("response headers as recorded", () => {
  for (const [name, input] of Object.entries(CASES)) {
    it(`gives the record, and JSON text, that decoding each name gave: ${name}`, () => {
      const record = headerRecord(input);
      expect(record).toEqual(decodedRecord(input));
      expect(JSON.stringify(record)).toBe(JSON.stringify(decodedRecord(input)));
    });
  }
});
