import type { SqlClient } from "../../db/sql.js";
import { newId } from "../../lib/ids.js";
import type { RetentionPolicy } from "../../types/enums.js";

// An endpoint's retention lives on its webhook (the group whose policy `webhooks prune` reads).
// Setting it on an endpoint without one gives the endpoint a webhook of its own, named after it,
// whose retry schedule is JSON null so the endpoint's (or the default) schedule still applies.

export async function setRetention(tx: SqlClient, endpointId: string, policy: RetentionPolicy, now: Date): Promise<void> {
  const row = await tx.get<{ webhookId: string | null }>(`SELECT "webhookId" FROM "WebhookEndpoint" WHERE "id" = ?`, [endpointId]);
  if (row?.webhookId) {
    await tx.run(`UPDATE "Webhook" SET "retentionPolicy" = ?, "updatedAt" = ? WHERE "id" = ?`, [policy, now, row.webhookId]);
    return;
  }
  const id = newId("webhook", now);
  await tx.run(`INSERT INTO "Webhook" ("id","name","retentionPolicy","retrySchedule","createdAt","updatedAt") VALUES (?,?,?,?,?,?)`, [id, `endpoint:${endpointId}`, policy, "null", now, now]);
  await tx.run(`UPDATE "WebhookEndpoint" SET "webhookId" = ? WHERE "id" = ?`, [id, endpointId]);
}

/** `--retention 7d|30d|90d|forever`, or the enum's own names. */
export const RETENTION_FLAG: Record<string, RetentionPolicy> = { "7d": "DAYS_7", "30d": "DAYS_30", "90d": "DAYS_90", forever: "FOREVER", days_7: "DAYS_7", days_30: "DAYS_30", days_90: "DAYS_90" };
