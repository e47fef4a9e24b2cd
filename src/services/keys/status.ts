import type { ApiKeyStatus } from "../../types/enums.js";

// A key's status by the clock, in a module of its own: `keys verify` needs it and nothing else of
// the views (views.ts), which load Kysely.

/**
 * The status a key has now. `keys expire` writes EXPIRED for good, but a key past its expiry (or
 * its rotation grace) is expired whether or not that has run yet.
 */
export function effectiveStatus(
  status: ApiKeyStatus,
  expiresAt: Date | null,
  graceEndsAt: Date | null,
  now: Date,
): ApiKeyStatus {
  if (status !== "ACTIVE" && status !== "ROTATING") return status;
  if (expiresAt && expiresAt <= now) return "EXPIRED";
  if (status === "ROTATING" && graceEndsAt && graceEndsAt <= now) return "EXPIRED";
  return status;
}
