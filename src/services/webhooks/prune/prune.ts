import { typed } from "../../../db/kysely.js";
import { countAttemptsOf, countAttemptsWhere, deleteAttemptsOf } from "../../../db/queries/webhook-delivery-attempt.js";
import {
  countPrunableDeliveries,
  deleteDeliveries,
  prunable,
  prunableDeliveryIds,
  type PruneCutoffs,
} from "../../../db/queries/webhook-delivery/prune.js";
import { endpointRetentionPolicies } from "../../../db/queries/webhook-endpoint.js";
import { countOrphanEvents, deleteOrphanEvents, orphanEventIds } from "../../../db/queries/webhook-event.js";
import { RetentionPolicy } from "../../../types/enums.js";
import type { WebhookPruneReport } from "../../../types/integration/webhook.types.js";
import type { ServiceContext } from "../../context.js";
import { DEFAULT_RETENTION } from "../endpoint-rows.js";

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
export const RETENTION_MS: Record<RetentionPolicy, number | null> = {
  DAYS_7: 7 * DAY,
  DAYS_30: 30 * DAY,
  DAYS_90: 90 * DAY,
  FOREVER: null,
};
const DEFAULT_POLICY: RetentionPolicy = DEFAULT_RETENTION;
const BATCH = 1000;

export interface PruneInput {
  dryRun: boolean;
  /** Replaces the age of every finite policy (FOREVER still keeps everything). */
  olderThanMs: number | null;
}

/** Each finite policy with the creation time before which its deliveries go. */
function cutoffs(policies: Record<RetentionPolicy, number | null>, now: Date): PruneCutoffs {
  const finite = (Object.entries(policies) as [RetentionPolicy, number | null][]).filter(([, ms]) => ms !== null);
  return finite.map(([policy, ms]) => [policy, new Date(now.getTime() - ms!)] as const);
}

export async function prune(ctx: ServiceContext, input: PruneInput): Promise<WebhookPruneReport> {
  const now = ctx.now();
  const policies = Object.fromEntries(
    Object.values(RetentionPolicy).map((p) => [
      p,
      RETENTION_MS[p] === null ? null : (input.olderThanMs ?? RETENTION_MS[p]),
    ]),
  ) as Record<RetentionPolicy, number | null>;
  const db = typed(ctx.sql);
  const inUse = await endpointRetentionPolicies(db, DEFAULT_POLICY);
  const finiteInUse = inUse.map((p) => policies[p]).filter((ms): ms is number => ms !== null);
  // No endpoint at all: orphan events follow the default policy. Only FOREVER endpoints: keep them.
  const orphanEventMaxAgeMs = finiteInUse.length
    ? Math.min(...finiteInUse)
    : inUse.length
      ? null
      : policies[DEFAULT_POLICY];
  const gone = (d: typeof db) => prunable(d, cutoffs(policies, now), DEFAULT_POLICY);
  const eventCutoff = orphanEventMaxAgeMs === null ? null : new Date(now.getTime() - orphanEventMaxAgeMs);
  const report: WebhookPruneReport = {
    dryRun: input.dryRun,
    policies,
    orphanEventMaxAgeMs,
    removed: { events: 0, deliveries: 0, attempts: 0, responseBodies: 0 },
    batches: 0,
  };

  if (input.dryRun) {
    const deliveries = await countPrunableDeliveries(db, gone(db));
    const attempts = await countAttemptsWhere(db, gone(db));
    // The events left without a delivery once those are gone.
    const events = eventCutoff ? await countOrphanEvents(db, eventCutoff, gone(db)) : 0;
    report.removed = { events, deliveries, attempts: attempts.n, responseBodies: attempts.bodies };
    return report;
  }

  // PostgreSQL locks each batch (the query modules add FOR UPDATE), so a replay cannot re-queue a
  // delivery (or add one to an event) between choosing it and deleting it. SQLite's write
  // transaction already excludes that.
  for (;;) {
    const n = await ctx.sql.transaction(async (tx) => {
      const t = typed(tx);
      const ids = await prunableDeliveryIds(t, gone(t), BATCH);
      if (ids.length === 0) return 0;
      const attempts = await countAttemptsOf(t, ids);
      report.removed.attempts += await deleteAttemptsOf(t, ids);
      report.removed.responseBodies += attempts.bodies;
      report.removed.deliveries += await deleteDeliveries(t, ids);
      return ids.length;
    });
    if (n > 0) report.batches++;
    if (n < BATCH) break;
  }
  while (eventCutoff) {
    const n = await ctx.sql.transaction(async (tx) => {
      const t = typed(tx);
      const ids = await orphanEventIds(t, eventCutoff, BATCH);
      if (ids.length === 0) return 0;
      report.removed.events += await deleteOrphanEvents(t, ids);
      return ids.length;
    });
    if (n > 0) report.batches++;
    if (n < BATCH) break;
  }
  return report;
}
