// Date patterns for mapping rules, in UTC: yyyy MM dd HH mm ss SSS; anything else is literal.
// Small on purpose: the few tokens provider APIs use, no locale names.
const TOKENS = /yyyy|MM|dd|HH|mm|ss|SSS/g;
const WIDTH: Record<string, number> = { yyyy: 4, MM: 2, dd: 2, HH: 2, mm: 2, ss: 2, SSS: 3 };

export const isDateFormat = (p: string) =>
  p === "iso" || p === "unix" || p === "unix_ms" || /yyyy|MM|dd|HH|mm|ss|SSS/.test(p);

export function formatDate(d: Date, pattern: string): string | number {
  if (pattern === "iso") return d.toISOString();
  if (pattern === "unix") return Math.floor(d.getTime() / 1000);
  if (pattern === "unix_ms") return d.getTime();
  const parts: Record<string, number> = {
    yyyy: d.getUTCFullYear(),
    MM: d.getUTCMonth() + 1,
    dd: d.getUTCDate(),
    HH: d.getUTCHours(),
    mm: d.getUTCMinutes(),
    ss: d.getUTCSeconds(),
    SSS: d.getUTCMilliseconds(),
  };
  return pattern.replace(TOKENS, (t) => String(parts[t]).padStart(WIDTH[t]!, "0"));
}

/** A date read with a pattern (null: ISO-8601 text or epoch numbers), or undefined when it does not fit. */
export function parseDate(value: unknown, pattern: string | null): Date | undefined {
  let d: Date | undefined;
  if (pattern === null || pattern === "iso") {
    if (typeof value === "number")
      d = new Date(value > 1e11 ? value : value * 1000); // seconds or milliseconds
    else if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value)) d = new Date(value);
  } else if (pattern === "unix" || pattern === "unix_ms") {
    const n =
      typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isNaN(n)) d = new Date(pattern === "unix" ? n * 1000 : n);
  } else if (typeof value === "string") {
    const order: string[] = [];
    const source = pattern
      .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
      .replace(TOKENS, (t) => (order.push(t), `(\\d{${WIDTH[t]}})`));
    const m = new RegExp(`^${source}$`).exec(value);
    if (m) {
      const p: Record<string, number> = { yyyy: 1970, MM: 1, dd: 1, HH: 0, mm: 0, ss: 0, SSS: 0 };
      order.forEach((t, i) => (p[t] = Number(m[i + 1])));
      d = new Date(Date.UTC(p.yyyy!, p.MM! - 1, p.dd!, p.HH!, p.mm!, p.ss!, p.SSS!));
      if (d.getUTCMonth() !== p.MM! - 1 || d.getUTCDate() !== p.dd!) d = undefined; // 2026-02-31
    }
  }
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}
