import { typed } from "../../db/kysely.js";
import { deliveryBacklog } from "../../db/queries/webhook-delivery/backlog.js";
import type { SqlClient } from "../../db/sql.js";
import type { WebhookBacklog } from "../../types/integration/webhook.types.js";

// Measures shared by `webhooks health` (the gate) and `webhooks metrics` (the report), so both
// count a backlog and a failure the same way.

/** Deliveries still waiting (PENDING or SENDING) and how long the oldest has waited. */
export async function backlogOf(sql: SqlClient, endpointId: string, now: Date): Promise<WebhookBacklog> {
  const { n, oldest } = await deliveryBacklog(typed(sql), endpointId);
  return { size: n, oldestAgeMs: oldest ? Math.max(0, now.getTime() - oldest.getTime()) : null };
}

/** The failed share of attempts (0..1), null when there were none. */
export function failureRateOf(attempts: number, failures: number): number | null {
  return attempts ? failures / attempts : null;
}
