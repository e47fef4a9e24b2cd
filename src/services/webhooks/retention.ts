import { jsonText, typed } from "../../db/kysely.js";
import { insertWebhookRow, setWebhookRetention } from "../../db/queries/webhook.js";
import { endpointWebhookId, updateEndpointRow } from "../../db/queries/webhook-endpoint.js";
import type { SqlClient } from "../../db/sql.js";
import { newId } from "../../lib/ids.js";
import type { RetentionPolicy } from "../../types/enums.js";

// An endpoint's retention lives on its webhook (the group whose policy `webhooks prune` reads).
// Setting it on an endpoint without one gives the endpoint a webhook of its own, named after it,
// whose retry schedule is JSON null so the endpoint's (or the default) schedule still applies.

export async function setRetention(
  tx: SqlClient,
  endpointId: string,
  policy: RetentionPolicy,
  now: Date,
): Promise<void> {
  const db = typed(tx);
  const webhookId = await endpointWebhookId(db, endpointId);
  if (webhookId) return setWebhookRetention(db, webhookId, policy, now);
  const id = newId("webhook", now);
  const name = `endpoint:${endpointId}`;
  const retrySchedule = jsonText(null);
  await insertWebhookRow(db, { id, name, retentionPolicy: policy, retrySchedule, createdAt: now, updatedAt: now });
  await updateEndpointRow(db, endpointId, { webhookId: id });
}

/** `--retention 7d|30d|90d|forever`, or the enum's own names. */
export const RETENTION_FLAG: Record<string, RetentionPolicy> = {
  "7d": "DAYS_7",
  "30d": "DAYS_30",
  "90d": "DAYS_90",
  forever: "FOREVER",
  days_7: "DAYS_7",
  days_30: "DAYS_30",
  days_90: "DAYS_90",
};
