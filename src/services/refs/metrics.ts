import { typed } from "../../db/kysely.js";
import {
  countOrphans,
  countsByConnection,
  createdPerDay,
  referenceTotals,
} from "../../db/queries/external-reference/metrics.js";
import type { ReferenceMetrics } from "../../types/integration/external-reference.types.js";
import type { ServiceContext } from "../context.js";

const DAY = 86_400_000;

/** Counts over every reference: per connection and entity type, orphans, remote deletions, daily growth. */
export async function referenceMetrics(ctx: ServiceContext, input: { days: number }): Promise<ReferenceMetrics> {
  const now = ctx.now();
  const db = typed(ctx.sql);
  const counts = await countsByConnection(db);
  const totals = await referenceTotals(db);
  // An orphan: no mapping of its provider (for every connection, or for its own) covers its types.
  const orphans = await countOrphans(db);
  const since = new Date(Math.floor(now.getTime() / DAY) * DAY - (input.days - 1) * DAY);
  const growth = await createdPerDay(db, since);
  return {
    generatedAt: now.toISOString(),
    total: totals.total,
    counts: counts.map((c) => ({
      connectionId: c.connectionId,
      connectionName: c.connectionName,
      entityType: c.entityType,
      count: Number(c.count),
    })),
    orphans,
    remoteDeleted: totals.remoteDeleted,
    growth: growth.map((g) => ({ day: g.day, created: Number(g.created) })),
  };
}
