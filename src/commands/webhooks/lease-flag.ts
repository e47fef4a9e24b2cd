import { parseDurationFlag } from "../../cli/parse.js";
import { UsageError } from "../../errors.js";

/** --lease of the worker and of replays: shorter than a second would expire between renewals. */
export function parseLease(text: string): number {
  const leaseMs = parseDurationFlag("--lease", text);
  if (leaseMs < 1000) throw new UsageError("--lease must be at least 1s.");
  return leaseMs;
}
