import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { parseHeaders } from "../../src/commands/webhooks/endpoint-flags.js";
import {
  fieldValueProblem,
  HeaderInputError,
  looksLikeCredential,
  mergeHeaders,
  parseHeaderLines,
} from "../../src/lib/header-values.js";

describe("endpoint header values (RFC 9110 fields)", () => {
  it("reads a header file: one Name: value a line, CRLF and blank lines accepted, optional whitespace dropped", () => {
    const pairs = parseHeaderLines(
      "Authorization: Bearer abc:def\r\n\nX-Team:\tbilling  \nX-Empty:\n",
      "--header-file",
    );
    expect(pairs).toEqual([
      ["Authorization", "Bearer abc:def"],
      ["X-Team", "billing"],
      ["X-Empty", ""],
    ]);
    expect(parseHeaderLines("X-Latin: caf\u00e9 \u00ff", "f")).toEqual([["X-Latin", "caf\u00e9 \u00ff"]]);
  });

  it("refuses control characters, code points above Latin-1 and bad names, naming the line but never the value", () => {
    const cases: [string, RegExp][] = [
      ["X-A: sec\u0000ret", /line 2: the value of X-A holds the control character 0x00/],
      ["X-A: sec\u007fret", /control character 0x7f/],
      ["X-A: sec\u0085ret", /control character 0x85/],
      ["X-A: sec\u000bret", /control character 0x0b/],
      ["X-A: sec\rret", /control character 0x0d/],
      ["X-A: s\u20acret", /U\+20AC, outside Latin-1/],
      ["X-A: s\u{1F600}ret", /U\+1F600, outside Latin-1/],
      ["X A: secret", /not name:value/],
      ["secret", /not name:value/],
      ["webhook-signature: secret", /set by intg itself/],
    ];
    for (const [line, message] of cases) {
      let caught: unknown;
      try {
        parseHeaderLines(`X-Ok: 1\n${line}`, "--header-file");
      } catch (error) {
        caught = error;
      }
      expect(caught, line).toBeInstanceOf(HeaderInputError);
      expect((caught as Error).message, line).toMatch(message);
      expect((caught as Error).message, line).toContain("line 2");
      expect((caught as Error).message, line).not.toContain("ret");
    }
    expect(fieldValueProblem(" lead")).toMatch(/whitespace/);
    expect(fieldValueProblem("in side\tok")).toBeNull();
  });

  it("refuses a name given twice, in any case, across sources", () => {
    expect(() =>
      mergeHeaders([
        ["X-Team", "a"],
        ["x-team", "b"],
      ]),
    ).toThrow(/given twice/);
    expect(() => parseHeaders(["X-Team: a", "X-TEAM: b"])).toThrow(UsageError);
    expect(() => parseHeaders(["X-A: a\u0001"])).toThrow(UsageError);
  });

  it("tells credential-looking names, for the --header warning", () => {
    for (const name of [
      "Authorization",
      "X-Api-Key",
      "X-Auth-Token",
      "Cookie",
      "X-Client-Secret",
      "Proxy-Authorization",
    ])
      expect(looksLikeCredential(name), name).toBe(true);
    for (const name of ["X-Team", "X-Request-Source", "Accept-Language"])
      expect(looksLikeCredential(name), name).toBe(false);
  });
});
