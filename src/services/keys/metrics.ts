import { ApiKeyStatus } from "../../types/enums.js";
import type { ApiKeyVerificationOutcome, ApiMetrics } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { whereKeys } from "./filter.js";

const OUTCOMES: ApiKeyVerificationOutcome[] = ["VALID", "NOT_FOUND", "REVOKED", "EXPIRED", "INSUFFICIENT_SCOPE", "MALFORMED"];

/** Keys by (effective) status, verifications by outcome and rotations in the window, keys expiring soon. */
export async function keyMetrics(ctx: ServiceContext, input: { sinceMs: number; expiringWithinMs: number }): Promise<ApiMetrics> {
  const now = ctx.now();
  const since = new Date(now.getTime() - input.sinceMs);
  const keysByStatus = Object.fromEntries(Object.values(ApiKeyStatus).map((s) => [s, 0])) as Record<ApiKeyStatus, number>;
  for (const status of Object.values(ApiKeyStatus)) {
    const { where, params } = whereKeys({ status: [status] }, now);
    keysByStatus[status] = Number((await ctx.sql.get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "ApiKey" k WHERE ${where}`, params))!.n);
  }
  const verificationsByOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<ApiKeyVerificationOutcome, number>;
  const rows = await ctx.sql.all<{ outcome: ApiKeyVerificationOutcome; n: number }>(
    `SELECT "outcome", SUM("count") AS "n" FROM "ApiKeyVerification" WHERE "verifiedAt" >= ? AND "verifiedAt" <= ? GROUP BY "outcome"`,
    [since, now],
  );
  for (const r of rows) if (r.outcome in verificationsByOutcome) verificationsByOutcome[r.outcome] = Number(r.n);
  const rotations = Number((await ctx.sql.get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "ApiKey" WHERE "rotatedFromId" IS NOT NULL AND "createdAt" >= ?`, [since]))!.n);
  const before = new Date(now.getTime() + input.expiringWithinMs);
  const expiring = whereKeys({ status: ["ACTIVE"], expiresBefore: before.toISOString() }, now);
  const expiringSoon = Number((await ctx.sql.get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "ApiKey" k WHERE ${expiring.where}`, expiring.params))!.n);
  return {
    window: { since: since.toISOString(), until: now.toISOString() },
    keysByStatus,
    verificationsByOutcome,
    rotations,
    expiringSoon: { before: before.toISOString(), count: expiringSoon },
  };
}
