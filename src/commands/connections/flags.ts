import type { CommandContext } from "../../cli/context.js";
import { parseIntFlag, parseRateFlag, parseWhenFlag } from "../../cli/parse.js";

// Flags several connections verbs read alike: --since and --limit of the histories (events,
// checks, syncs) and --rate-limit of create and update.

/** `--since 7d` (a duration ago) or `--since 2026-01-31` (a date). */
export const parseSince = (ctx: CommandContext, text: string): Date => parseWhenFlag("--since", text, ctx.now());

export const parseLimit = (text: string): number => parseIntFlag("--limit", text, 1, 10_000);

/** `--rate-limit 100`, `100/m` or `5/s`: requests per minute. */
export const parseRatePerMinute = (text: string): number => parseRateFlag("--rate-limit", text, "minute");
