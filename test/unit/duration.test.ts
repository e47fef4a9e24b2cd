import { exitCodeOf } from "../../src/cli/exit-codes.js";
import { describe, expect, it } from "vitest";
import { parseDateFlag, parseDurationFlag, parseWhenFlag } from "../../src/cli/parse.js";
import { UsageError } from "../../src/errors.js";
import { MAX_DURATION_MS, formatDuration, parseDuration, withinMaxDuration } from "../../src/lib/duration.js";

describe("durations", () => {
  it.each([
    ["90d", 90 * 86_400_000],
    ["24h", 86_400_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["2w", 14 * 86_400_000],
    ["1.5h", 5_400_000],
    ["0", 0],
  ])("reads %s", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "10", "d", "5x", "1h 30m", "-1h", "1h30"])("refuses %j", (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it("writes the largest whole units", () => {
    expect(formatDuration(90_061_000)).toBe("1d1h1m1s");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(-1500)).toBe("-1s500ms");
  });

  it("bounds durations at 100 years of 365.25 days", () => {
    expect(MAX_DURATION_MS).toBe(36_525 * 86_400_000);
    expect(withinMaxDuration(parseDuration("36525d")!)).toBe(true);
    expect(withinMaxDuration(parseDuration("36525d1ms")!)).toBe(false);
    expect(withinMaxDuration(parseDuration("9".repeat(400) + "d")!)).toBe(false); // Infinity
  });
});

describe("duration and date flags", () => {
  const now = new Date("2026-12-03T00:00:00Z");

  it.each(["1000000w", "99999999999d", "36526d", "5300w", "9".repeat(400) + "ms"])(
    "refuses %s with exit 2, naming the bound",
    (text) => {
      const error = (() => {
        try {
          parseDurationFlag("--expires-in", text);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toContain("longer than 100 years");
      expect(exitCodeOf(error as UsageError)).toBe(2);
    },
  );

  it("accepts 100 years exactly", () => expect(parseDurationFlag("--grace", "36525d")).toBe(MAX_DURATION_MS));

  it("refuses dates more than 100 years from now, either way", () => {
    expect(parseDateFlag("--expires-at", "2126-12-01", now).toISOString()).toBe("2126-12-01T00:00:00.000Z");
    for (const text of ["2127-01-01", "9999-12-31", "1900-01-01"]) {
      expect(() => parseDateFlag("--expires-at", text, now), text).toThrow(/more than 100 years/);
    }
    expect(() => parseDateFlag("--expires-at", "+021192-01-01", now)).toThrow(/not an ISO-8601 date/);
  });

  it("bounds --since both as a duration and as a date", () => {
    expect(parseWhenFlag("--since", "7d", now).toISOString()).toBe("2026-11-26T00:00:00.000Z");
    expect(() => parseWhenFlag("--since", "99999999999d", now)).toThrow(/--since: .* longer than 100 years/);
    expect(() => parseWhenFlag("--since", "1800-01-01", now)).toThrow(/--since: .* more than 100 years/);
  });
});
