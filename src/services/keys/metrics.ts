import { typed } from "../../db/kysely.js";
import { countKeysWhere, countRotationsSince } from "../../db/queries/api-key.js";
import { keyFilter } from "../../db/queries/api-key-filter.js";
import { verificationsByOutcome as byOutcome } from "../../db/queries/api-key-verification.js";
import { ApiKeyStatus } from "../../types/enums.js";
import type { ApiKeyVerificationOutcome, ApiMetrics } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";

const OUTCOMES: ApiKeyVerificationOutcome[] = [
  "VALID",
  "NOT_FOUND",
  "REVOKED",
  "EXPIRED",
  "INSUFFICIENT_SCOPE",
  "MALFORMED",
];

/** Keys by (effective) status, verifications by outcome and rotations in the window, keys expiring soon. */
export async function keyMetrics(
  ctx: ServiceContext,
  input: { sinceMs: number; expiringWithinMs: number },
): Promise<ApiMetrics> {
  const db = typed(ctx.sql);
  const now = ctx.now();
  const since = new Date(now.getTime() - input.sinceMs);
  const keysByStatus = Object.fromEntries(Object.values(ApiKeyStatus).map((s) => [s, 0])) as Record<
    ApiKeyStatus,
    number
  >;
  for (const status of Object.values(ApiKeyStatus)) {
    keysByStatus[status] = await countKeysWhere(db, keyFilter({ status: [status] }, now));
  }
  const verificationsByOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<
    ApiKeyVerificationOutcome,
    number
  >;
  for (const [outcome, n] of await byOutcome(db, since, now)) {
    if (outcome in verificationsByOutcome) verificationsByOutcome[outcome as ApiKeyVerificationOutcome] = n;
  }
  const rotations = await countRotationsSince(db, since);
  const before = new Date(now.getTime() + input.expiringWithinMs);
  const expiring = keyFilter({ status: [ApiKeyStatus.ACTIVE], expiresBefore: before.toISOString() }, now);
  const expiringSoon = await countKeysWhere(db, expiring);
  return {
    window: { since: since.toISOString(), until: now.toISOString() },
    keysByStatus,
    verificationsByOutcome,
    rotations,
    expiringSoon: { before: before.toISOString(), count: expiringSoon },
  };
}
