import type { Insertable, Selectable } from "kysely";
import type { IntegrationEvent } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";
import { prepared } from "../prepared.js";

// Every statement on "IntegrationEvent": what happened to a connection (`connections events`).

export type EventRow = Selectable<IntegrationEvent>;

const COLUMNS = ["id", "connectionId", "kind", "previousStatus", "status", "message", "createdAt"] as const;

// A check records one per connection whose status moved, in one transaction: compiled once.
const insert = prepared(COLUMNS, (db, p) => db.insertInto("IntegrationEvent").values({ ...p }), {
  key: "integration-event.insert",
});

export async function insertEvent(db: Db, row: Insertable<IntegrationEvent>): Promise<void> {
  const { previousStatus = null, message = null } = row;
  await insert.run(db, { ...row, previousStatus, message });
}

/** A connection's events since a time, newest first. */
export function eventRows(db: Db, connectionId: string, since: Date, limit: number): Promise<EventRow[]> {
  return db
    .selectFrom("IntegrationEvent")
    .select(COLUMNS)
    .where("connectionId", "=", connectionId)
    .where("createdAt", ">=", since)
    .orderBy("createdAt", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}
