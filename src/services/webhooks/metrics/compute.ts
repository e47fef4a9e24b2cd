import { typed } from "../../../db/kysely.js";
import { DeliveryStatus } from "../../../db/generated/kysely/enums.js";
import { deliveryStatusCounts } from "../../../db/queries/webhook-delivery/backlog.js";
import { attemptsOfDeliveriesCreated } from "../../../db/queries/webhook-delivery-attempt.js";
import { percentiles } from "../../../lib/percentiles.js";
import type { WebhookDeliveryMetrics } from "../../../types/integration/webhook.types.js";
import type { ServiceContext } from "../../context.js";
import { listEndpoints, showEndpoint } from "../endpoint-rows.js";
import { backlogOf } from "../endpoint-stats.js";

// `webhooks metrics`: per endpoint, the deliveries created in the window and every attempt made
// for them. successRate is delivered / (delivered + failed): deliveries still retrying have no
// outcome yet and count in the backlog instead. The series counts attempts by the time they
// started (a successful one is a delivery, a failed one a failure), so an outage shows where it was.

export interface MetricsInput {
  endpointId: string | null;
  since: Date;
  /** The window's end, the same instant the command measured --since from (so 24h is 24h exactly). */
  until: Date;
}

// Bucket widths a person reads easily; the first that gives at most MAX_BUCKETS wins.
const MINUTE = 60_000;
const BUCKETS_MS = [
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  60 * MINUTE,
  180 * MINUTE,
  360 * MINUTE,
  720 * MINUTE,
  1440 * MINUTE,
  7 * 1440 * MINUTE,
  30 * 1440 * MINUTE,
];
const MAX_BUCKETS = 48;

export function bucketSize(windowMs: number): number {
  return BUCKETS_MS.find((b) => Math.ceil(windowMs / b) <= MAX_BUCKETS) ?? Math.ceil(windowMs / MAX_BUCKETS);
}

export async function computeMetrics(ctx: ServiceContext, input: MetricsInput): Promise<WebhookDeliveryMetrics[]> {
  const endpoints = input.endpointId ? [await showEndpoint(ctx, input.endpointId)] : await listEndpoints(ctx);
  const now = input.until;
  const windowMs = Math.max(1, now.getTime() - input.since.getTime());
  const bucketMs = bucketSize(windowMs);
  const buckets = Math.ceil(windowMs / bucketMs);
  const results: WebhookDeliveryMetrics[] = [];
  for (const ep of endpoints) {
    const db = typed(ctx.sql);
    const byStatus = await deliveryStatusCounts(db, ep.id, input.since, now);
    const deliveries = [...byStatus.values()].reduce((a, b) => a + b, 0);
    const delivered = byStatus.get(DeliveryStatus.DELIVERED) ?? 0;
    const failed = byStatus.get(DeliveryStatus.FAILED) ?? 0;
    const attempts = await attemptsOfDeliveriesCreated(db, ep.id, input.since, now);
    const series = Array.from({ length: buckets }, (_, i) => ({
      start: new Date(input.since.getTime() + i * bucketMs).toISOString(),
      delivered: 0,
      failed: 0,
    }));
    for (const a of attempts) {
      const at = Math.floor((a.startedAt.getTime() - input.since.getTime()) / bucketMs);
      const i = Math.min(buckets - 1, Math.max(0, at));
      if (a.succeeded) series[i]!.delivered++;
      else series[i]!.failed++;
    }
    results.push({
      endpointId: ep.id,
      url: ep.url,
      window: { since: input.since.toISOString(), until: now.toISOString() },
      deliveries,
      delivered,
      failed,
      successRate: delivered + failed ? delivered / (delivered + failed) : null,
      attempts: attempts.length,
      attemptsPerDelivery: deliveries ? attempts.length / deliveries : null,
      latencyMs: percentiles(attempts.map((a) => a.durationMs)),
      backlog: await backlogOf(ctx.sql, ep.id, now),
      series,
      bucketMs,
    });
  }
  return results;
}
