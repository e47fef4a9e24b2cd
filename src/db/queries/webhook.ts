import type { Insertable } from "kysely";
import type { RetentionPolicy } from "../generated/kysely/enums.js";
import type { Webhook } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";

// Every statement on "Webhook": the group an endpoint may belong to, lending it a retry schedule
// and the retention policy `webhooks prune` reads.

export async function insertWebhookRow(db: Db, row: Insertable<Webhook>): Promise<void> {
  await db.insertInto("Webhook").values(row).execute();
}

export async function setWebhookRetention(db: Db, id: string, policy: RetentionPolicy, now: Date): Promise<void> {
  await db.updateTable("Webhook").set({ retentionPolicy: policy, updatedAt: now }).where("id", "=", id).execute();
}
