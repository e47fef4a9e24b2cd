import { col } from "../../../db/sql.js";
import { RetentionPolicy } from "../../../types/enums.js";
import type { WebhookPruneReport } from "../../../types/integration/webhook.types.js";
import type { ServiceContext } from "../../context.js";

// `webhooks prune`: retention. An endpoint keeps what its webhook's RetentionPolicy says (an
// endpoint without a webhook has the schema's default, DAYS_30, as endpoint-rows.ts shows it):
//   DAYS_7 / DAYS_30 / DAYS_90: deliveries created more than 7 / 30 / 90 days (of 24 h) ago go,
//   with their attempts (and so their stored response bodies); FOREVER: nothing is pruned.
// A delivery still PENDING or SENDING is never touched, however old: it is still owed.
// An event goes once no delivery refers to it and it is older than the shortest finite retention
// in use, so an event is never removed while any endpoint's retention still wants it.
// Work is done in batches of BATCH deliveries (or events) per transaction, so a large prune never
// holds a long lock; --dry-run counts the same predicates and writes nothing.

const DAY = 86_400_000;
export const RETENTION_MS: Record<RetentionPolicy, number | null> = { DAYS_7: 7 * DAY, DAYS_30: 30 * DAY, DAYS_90: 90 * DAY, FOREVER: null };
const DEFAULT_POLICY: RetentionPolicy = "DAYS_30";
const BATCH = 1000;

export interface PruneInput {
  dryRun: boolean;
  /** Replaces the age of every finite policy (FOREVER still keeps everything). */
  olderThanMs: number | null;
}

const POLICY_OF_ENDPOINT = `SELECT e."id" FROM "WebhookEndpoint" e LEFT JOIN "Webhook" w ON w."id" = e."webhookId" WHERE COALESCE(CAST(w."retentionPolicy" AS TEXT), '${DEFAULT_POLICY}') = ?`;

/** The prunable-delivery predicate over alias d, and its parameters. */
function prunable(policies: Record<RetentionPolicy, number | null>, now: Date): { where: string; params: unknown[] } {
  const finite = (Object.entries(policies) as [RetentionPolicy, number | null][]).filter(([, ms]) => ms !== null);
  if (finite.length === 0) return { where: "1 = 0", params: [] };
  return {
    where: `d."status" NOT IN ('PENDING','SENDING') AND (${finite.map(() => `(d."endpointId" IN (${POLICY_OF_ENDPOINT}) AND d."createdAt" < ?)`).join(" OR ")})`,
    params: finite.flatMap(([policy, ms]) => [policy, new Date(now.getTime() - ms!)]),
  };
}

export async function prune(ctx: ServiceContext, input: PruneInput): Promise<WebhookPruneReport> {
  const now = ctx.now();
  const policies = Object.fromEntries(Object.values(RetentionPolicy).map((p) => [p, RETENTION_MS[p] === null ? null : (input.olderThanMs ?? RETENTION_MS[p])])) as Record<RetentionPolicy, number | null>;
  const inUse = (await ctx.sql.rows(`SELECT DISTINCT COALESCE(CAST(w."retentionPolicy" AS TEXT), '${DEFAULT_POLICY}') FROM "WebhookEndpoint" e LEFT JOIN "Webhook" w ON w."id" = e."webhookId"`)).map((r) => String(r[0]) as RetentionPolicy);
  const finiteInUse = inUse.map((p) => policies[p]).filter((ms): ms is number => ms !== null);
  // No endpoint at all: orphan events follow the default policy. Only FOREVER endpoints: keep them.
  const orphanEventMaxAgeMs = finiteInUse.length ? Math.min(...finiteInUse) : inUse.length ? null : policies[DEFAULT_POLICY];
  const p = prunable(policies, now);
  const eventCutoff = orphanEventMaxAgeMs === null ? null : new Date(now.getTime() - orphanEventMaxAgeMs);
  const report: WebhookPruneReport = { dryRun: input.dryRun, policies, orphanEventMaxAgeMs, removed: { events: 0, deliveries: 0, attempts: 0, responseBodies: 0 }, batches: 0 };

  if (input.dryRun) {
    const d = await ctx.sql.rows(`SELECT COUNT(*) FROM "WebhookDelivery" d WHERE ${p.where}`, p.params);
    const a = await ctx.sql.rows(`SELECT COUNT(*), COUNT(a."responseBody") FROM "WebhookDeliveryAttempt" a JOIN "WebhookDelivery" d ON d."id" = a."deliveryId" WHERE ${p.where}`, p.params);
    // The events left without a delivery once those are gone.
    const e = eventCutoff ? await ctx.sql.rows(`SELECT COUNT(*) FROM "WebhookEvent" ev WHERE ev."createdAt" < ? AND NOT EXISTS (SELECT 1 FROM "WebhookDelivery" d WHERE d."eventId" = ev."id" AND NOT (${p.where}))`, [eventCutoff, ...p.params]) : [[0]];
    report.removed = { events: col.int(e[0]![0]), deliveries: col.int(d[0]![0]), attempts: col.int(a[0]![0]), responseBodies: col.int(a[0]![1]) };
    return report;
  }

  // PostgreSQL: lock the batch, so a replay cannot re-queue a delivery (or add one to an event)
  // between choosing it and deleting it. SQLite's write transaction already excludes that.
  const lock = ctx.sql.provider === "postgresql" ? " FOR UPDATE" : "";
  for (;;) {
    const n = await ctx.sql.transaction(async (tx) => {
      const ids = (await tx.rows(`SELECT d."id" FROM "WebhookDelivery" d WHERE ${p.where} LIMIT ${BATCH}${lock}`, p.params)).map((r) => String(r[0]));
      if (ids.length === 0) return 0;
      const list = ids.map(() => "?").join(",");
      const a = await tx.rows(`SELECT COUNT(*), COUNT("responseBody") FROM "WebhookDeliveryAttempt" WHERE "deliveryId" IN (${list})`, ids);
      report.removed.attempts += await tx.run(`DELETE FROM "WebhookDeliveryAttempt" WHERE "deliveryId" IN (${list})`, ids);
      report.removed.responseBodies += col.int(a[0]![1]);
      report.removed.deliveries += await tx.run(`DELETE FROM "WebhookDelivery" WHERE "id" IN (${list})`, ids);
      return ids.length;
    });
    if (n > 0) report.batches++;
    if (n < BATCH) break;
  }
  while (eventCutoff) {
    const n = await ctx.sql.transaction(async (tx) => {
      const ids = (await tx.rows(`SELECT ev."id" FROM "WebhookEvent" ev WHERE ev."createdAt" < ? AND NOT EXISTS (SELECT 1 FROM "WebhookDelivery" d WHERE d."eventId" = ev."id") LIMIT ${BATCH}${lock}`, [eventCutoff])).map((r) => String(r[0]));
      if (ids.length === 0) return 0;
      report.removed.events += await tx.run(`DELETE FROM "WebhookEvent" WHERE "id" IN (${ids.map(() => "?").join(",")}) AND NOT EXISTS (SELECT 1 FROM "WebhookDelivery" d WHERE d."eventId" = "WebhookEvent"."id")`, ids);
      return ids.length;
    });
    if (n > 0) report.batches++;
    if (n < BATCH) break;
  }
  return report;
}

