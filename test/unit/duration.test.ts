import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/lib/duration.js";

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

  it.each(["", "10", "d", "5x", "1h 30m", "-1h", "1h30"])("refuses %j", (text) => expect(parseDuration(text)).toBeUndefined());

  it("writes the largest whole units", () => {
    expect(formatDuration(90_061_000)).toBe("1d1h1m1s");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(-1500)).toBe("-1s500ms");
  });
});
