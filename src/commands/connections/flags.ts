import type { CommandContext } from "../../cli/context.js";
import { parseIntFlag, parseWhenFlag } from "../../cli/parse.js";
import { UsageError } from "../../errors.js";

// Flags several connections verbs read alike: --since and --limit of the histories (events,
// checks, syncs) and --rate-limit of create and update.

/** `--since 7d` (a duration ago) or `--since 2026-01-31` (a date). */
export const parseSince = (ctx: CommandContext, text: string): Date => parseWhenFlag("--since", text, ctx.now());

export const parseLimit = (text: string): number => parseIntFlag("--limit", text, 1, 10_000);

/** `--rate-limit 100`, `100/min` or `5/s`: requests per minute. */
export function parseRatePerMinute(text: string): number {
  const m = /^\s*(\d+)\s*(?:\/\s*(s|sec|m|min|h|hour))?\s*$/.exec(text);
  const per = { s: 60, sec: 60, m: 1, min: 1, h: 1 / 60, hour: 1 / 60 }[m?.[2] ?? "min"]!;
  const n = m ? Number(m[1]) * per : NaN;
  if (!(n >= 1))
    throw new UsageError(
      `--rate-limit: "${text}" is not a rate; nothing was written.`,
      "Write it like 100, 100/min or 5/s (at least 1 per minute).",
    );
  return Math.floor(n);
}
