import { type Expression, type SqlBool, type ExpressionBuilder, type Selectable, sql } from "kysely";
import type { DeliveryStatus } from "../../generated/kysely/enums.js";
import type { DB, WebhookDelivery } from "../../generated/kysely/types.js";
import { jsonStrings } from "../../json-rows.js";
import type { Db } from "../../kysely.js";
import { providerOf } from "../../prepared.js";

// The deliveries a listing, a show, an export or a replay selects.

/** The deliveries a listing, an export or a replay selects: every condition given must hold. */
export interface DeliveryMatch {
  id?: string;
  eventId?: string | null;
  /** Keep the list short (a few hundred): it is bound as one parameter each. */
  eventIds?: readonly string[];
  endpointId?: string | null;
  status?: readonly DeliveryStatus[] | null;
  /** Created at or after. */
  since?: Date | null;
  /** Created before. */
  until?: Date | null;
}

type DeliveryScope = ExpressionBuilder<DB & { d: WebhookDelivery }, "d">;

function matchConditions(eb: DeliveryScope, m: DeliveryMatch): Expression<SqlBool>[] {
  const all: Expression<SqlBool>[] = [];
  if (m.id !== undefined) all.push(eb("d.id", "=", m.id));
  if (m.eventId) all.push(eb("d.eventId", "=", m.eventId));
  if (m.eventIds) all.push(eb("d.eventId", "in", m.eventIds));
  if (m.endpointId) all.push(eb("d.endpointId", "=", m.endpointId));
  if (m.status?.length) all.push(eb("d.status", "in", m.status));
  if (m.since) all.push(eb("d.createdAt", ">=", m.since));
  if (m.until) all.push(eb("d.createdAt", "<", m.until));
  return all;
}

export type ListedDelivery = Selectable<WebhookDelivery> & { eventType: string };

/** Deliveries with their event's type, newest first. */
export function listDeliveriesWithType(db: Db, m: DeliveryMatch, limit: number): Promise<ListedDelivery[]> {
  return db
    .selectFrom("WebhookDelivery as d")
    .innerJoin("WebhookEvent as ev", "ev.id", "d.eventId")
    .selectAll("d")
    .select("ev.type as eventType")
    .where((eb) => eb.and(matchConditions(eb, m)))
    .orderBy("d.id", "desc")
    .limit(limit)
    .execute();
}

export function deliveryWithType(db: Db, id: string): Promise<ListedDelivery | undefined> {
  return db
    .selectFrom("WebhookDelivery as d")
    .innerJoin("WebhookEvent as ev", "ev.id", "d.eventId")
    .selectAll("d")
    .select("ev.type as eventType")
    .where("d.id", "=", id)
    .executeTakeFirst();
}

/**
 * A keyset page of deliveries after `after` (by id), each with its event and the request of its
 * last attempt that sent one (an attempt that failed before sending records no headers), picked
 * in the order `deliveries show` picks its body: started, then number, then id.
 */
export function exportPage(db: Db, m: DeliveryMatch, after: string, limit: number) {
  return db
    .selectFrom("WebhookDelivery as d")
    .innerJoin("WebhookEvent as ev", "ev.id", "d.eventId")
    .leftJoin("WebhookDeliveryAttempt as la", (join) =>
      join.on((eb) =>
        eb(
          "la.id",
          "=",
          eb
            .selectFrom("WebhookDeliveryAttempt as a")
            .select("a.id")
            .whereRef("a.deliveryId", "=", "d.id")
            .where("a.requestHeaders", "is not", null)
            .orderBy("a.startedAt", "desc")
            .orderBy("a.attemptNumber", "desc")
            .orderBy("a.id", "desc")
            .limit(1),
        ),
      ),
    )
    .select(["d.id", "d.eventId", "d.endpointId", "d.status", "d.attemptCount", "d.createdAt", "d.lastAttemptAt"])
    .select(["d.deliveredAt", "ev.type", "ev.payload", "ev.timestamp"])
    .select(["la.requestHeaders as lastHeaders", "la.requestBody as lastBody"])
    .where((eb) => eb.and([eb("d.id", ">", after), ...matchConditions(eb, m)]))
    .orderBy("d.id")
    .limit(limit)
    .execute();
}

/** Deliveries a replay may re-send, with their event's type and whether their endpoint is enabled. */
export function replayCandidateRows(db: Db, m: DeliveryMatch) {
  return db
    .selectFrom("WebhookDelivery as d")
    .innerJoin("WebhookEvent as ev", "ev.id", "d.eventId")
    .innerJoin("WebhookEndpoint as e", "e.id", "d.endpointId")
    .select(["d.id", "d.eventId", "d.endpointId", "d.status", "d.attemptCount", "ev.type", "e.enabled"])
    .where((eb) => eb.and(matchConditions(eb, m)))
    .orderBy("d.eventId")
    .orderBy("d.endpointId")
    .execute();
}

/** Which of `ids` are deliveries still (a deleted endpoint takes its deliveries with it). */
export async function existingDeliveryIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  const rows = await db
    .selectFrom("WebhookDelivery")
    .select("id")
    .where("id", "in", jsonStrings(providerOf(db), sql.val(JSON.stringify(ids))))
    .execute();
  return new Set(rows.map((r) => r.id));
}
