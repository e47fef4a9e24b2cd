import { type Expression, expressionBuilder, type SqlBool } from "kysely";
import type { RetentionPolicy } from "../../generated/kysely/enums.js";
import type { DB, WebhookDelivery } from "../../generated/kysely/types.js";
import { count, type Db } from "../../kysely.js";
import { providerOf } from "../../prepared.js";
import { endpointIdsUnderPolicy } from "../webhook-endpoint.js";
import { WAITING } from "./queue.js";

// Retention: which finished deliveries may go, and their deletes.

/** Retention: each policy kept, and the creation time before which its deliveries go. */
export type PruneCutoffs = ReadonlyArray<readonly [policy: RetentionPolicy, before: Date]>;

/**
 * The prunable-delivery predicate over alias `d`: finished (never PENDING or SENDING, however old),
 * and created before the cutoff of its endpoint's policy (`fallback` for an endpoint without a webhook).
 */
export function prunable(db: Db, cutoffs: PruneCutoffs, fallback: RetentionPolicy): Expression<SqlBool> {
  const eb = expressionBuilder<DB & { d: WebhookDelivery }, "d">();
  if (cutoffs.length === 0) return eb.lit(false);
  return eb.and([
    eb("d.status", "not in", WAITING),
    eb.or(
      cutoffs.map(([policy, before]) =>
        eb.and([
          eb("d.endpointId", "in", endpointIdsUnderPolicy(db, policy, fallback)),
          eb("d.createdAt", "<", before),
        ]),
      ),
    ),
  ]);
}

export async function countPrunableDeliveries(db: Db, where: Expression<SqlBool>): Promise<number> {
  const row = await db
    .selectFrom("WebhookDelivery as d")
    .select((eb) => eb.fn.countAll().as("n"))
    .where(where)
    .executeTakeFirst();
  return count(row?.n);
}

/** Up to `limit` prunable ids; PostgreSQL locks them, so a replay cannot re-queue one before it goes. */
export async function prunableDeliveryIds(db: Db, where: Expression<SqlBool>, limit: number): Promise<string[]> {
  const q = db.selectFrom("WebhookDelivery as d").select("d.id").where(where).limit(limit);
  return (await (providerOf(db) === "postgresql" ? q.forUpdate() : q).execute()).map((r) => r.id);
}

export async function deleteDeliveries(db: Db, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db.deleteFrom("WebhookDelivery").where("id", "in", ids).executeTakeFirst();
  return Number(r.numDeletedRows);
}
