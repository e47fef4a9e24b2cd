// Durations as operators write them: "90d", "24h", "15m", "30s", "500ms", "1h30m", "2w".
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

/**
 * The longest duration, and the furthest a date may lie from now: 100 years of 365.25 days. Past it
 * a date is a typo (1000000w), and every accepted date keeps a four-digit year, so SQLite's
 * stored text still sorts in time order.
 */
export const MAX_DURATION_MS = 36_525 * UNITS.d!;
export const MAX_DURATION_TEXT = "100 years (36525d)";

/**
 * Milliseconds, or undefined when the text is not a duration. "0" is zero. The result may exceed
 * MAX_DURATION_MS (even be Infinity): callers check it with withinMaxDuration.
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (t === "0") return 0;
  if (t === "") return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let m = PART.exec(t); m; m = PART.exec(t)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    end = PART.lastIndex;
  }
  return end === t.length ? Math.round(total) : undefined;
}

export function withinMaxDuration(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DURATION_MS;
}

/** The largest whole units, for people: 90061000 -> "1d1h1m1s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = Math.abs(ms);
  let out = "";
  for (const unit of ["w", "d", "h", "m", "s", "ms"] as const) {
    const size = UNITS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return (ms < 0 ? "-" : "") + out;
}
