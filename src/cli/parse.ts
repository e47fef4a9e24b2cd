import { UsageError } from "../errors.js";
import { MAX_DURATION_MS, MAX_DURATION_TEXT, parseDuration, withinMaxDuration } from "../lib/duration.js";

// Flag values checked before anything is written: a bad one is a usage error (exit 2) that says
// what was wrong and what would be right.

/** Enum text compared without case, and with - for _: `bearer-token` is BEARER_TOKEN. */
const enumKey = (text: string) => text.trim().toUpperCase().replace(/-/g, "_");

/** One value of an enum (a Prisma enum or a list of words), in either case: `--status active` is ACTIVE. */
export function parseEnum<T extends string>(flag: string, text: string, values: Record<string, T> | readonly T[]): T {
  const wanted = enumKey(text);
  const match = Object.values(values).find((v) => enumKey(v) === wanted);
  if (!match)
    throw new UsageError(
      `${flag}: unknown value "${text}".`,
      `Use one of: ${Object.values(values)
        .map((v) => v.toLowerCase())
        .join(", ")}.`,
    );
  return match;
}

/** A comma-separated list of enum values; repeats are dropped. */
export function parseEnumList<T extends string>(
  flag: string,
  text: string,
  values: Record<string, T> | readonly T[],
): T[] {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag} needs at least one value.`);
  return [...new Set(items.map((item) => parseEnum(flag, item, values)))];
}

/** A whole number within [min, max], e.g. --concurrency or --limit. */
export function parseIntFlag(flag: string, text: string, min: number, max: number, hint?: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag}: "${text}" is not a whole number from ${min} to ${max}.`, hint);
  return n;
}

export function parseDurationFlag(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new UsageError(`${flag}: "${text}" is not a duration.`, "Write it like 90d, 24h, 15m, 30s or 1h30m.");
  if (!withinMaxDuration(ms)) {
    const message = `${flag}: "${text}" is longer than ${MAX_DURATION_TEXT}; nothing was written.`;
    throw new UsageError(message, undefined, "DURATION_TOO_LONG");
  }
  return ms;
}

/** An ISO-8601 date no more than 100 years from now (either way): further is a typo, not a plan. */
export function parseDateFlag(flag: string, text: string, now: Date = new Date()): Date {
  const d = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(d.getTime())) {
    throw new UsageError(
      `${flag}: "${text}" is not an ISO-8601 date.`,
      "Write it like 2026-12-31 or 2026-12-31T23:59:00Z.",
    );
  }
  if (Math.abs(d.getTime() - now.getTime()) > MAX_DURATION_MS) {
    const message = `${flag}: ${text} is more than ${MAX_DURATION_TEXT} from now; nothing was written.`;
    throw new UsageError(message, undefined, "DATE_OUT_OF_RANGE");
  }
  return d;
}

/** Repeated `--meta k=v` flags into an object; a key given twice keeps its last value. */
export function parseKeyValues(flag: string, pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`${flag}: "${pair}" is not key=value.`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}

/** commander collector for repeatable flags. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A point in time given as a duration back from now (24h, 7d) or as a date (2026-01-31[T12:00:00Z]). */
export function parseWhenFlag(flag: string, text: string, now: Date): Date {
  if (parseDuration(text) !== undefined) return new Date(now.getTime() - parseDurationFlag(flag, text));
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) return parseDateFlag(flag, text, now);
  throw new UsageError(
    `${flag}: "${text}" is not a duration or a date.`,
    "Write it like 24h, 7d, 2026-01-31 or 2026-01-31T12:00:00Z.",
  );
}

/** Requests per minute in one of each unit a rate may be written in. */
const PER_MINUTE: Record<string, number> = {
  s: 60,
  sec: 60,
  second: 60,
  m: 1,
  min: 1,
  minute: 1,
  h: 1 / 60,
  hour: 1 / 60,
};

/**
 * A rate: `50/s`, `3000/m`, `600/h`, or a bare number counted in `unit`. It must come to a whole
 * number of requests per `unit`, from 1 to `max`: connections count per minute, webhook endpoints
 * per second. (Rounded down, 90/m was stored as 1/s without a word.)
 */
export function parseRateFlag(flag: string, text: string, unit: "second" | "minute", max = Infinity): number {
  const m = /^\s*(\d+)\s*(?:\/\s*([a-z]+))?\s*$/i.exec(text);
  const perMinute = m
    ? Number(m[1]) * (m[2] === undefined ? (unit === "second" ? 60 : 1) : (PER_MINUTE[m[2].toLowerCase()] ?? NaN))
    : NaN;
  const exact = unit === "second" ? perMinute / 60 : perMinute;
  if (!(exact >= 1 && exact <= max)) {
    const range = max === Infinity ? `at least 1 per ${unit}` : `1 to ${max} per ${unit}`;
    throw new UsageError(
      `${flag}: "${text}" is not a rate; nothing was written.`,
      `Write a whole number per second or per minute, like 50/s or 3000/m (${range}; a bare number is per ${unit}).`,
      "INVALID_RATE",
    );
  }
  const n = Math.round(exact);
  if (Math.abs(exact - n) > 1e-9) {
    const near = [Math.floor(exact), Math.ceil(exact)].filter((r) => r <= max).map((r) => `${r}/${unit[0]}`);
    throw new UsageError(
      `${flag}: "${text}" is ${Number(exact.toFixed(3))} per ${unit}, not a whole number; nothing was written.`,
      `Rates are whole requests per ${unit}: ${near.join(" or ")}?`,
      "INVALID_RATE",
    );
  }
  return n;
}
