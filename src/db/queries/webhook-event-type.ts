import type { Insertable, Selectable, Updateable } from "kysely";
import type { WebhookEventType } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";

// Every statement on "WebhookEventType": the catalog of event types `webhooks send` checks.

export type EventTypeRow = Selectable<WebhookEventType>;

/** IN lists are cut into chunks: SQLite binds at most 32,766 parameters, and short lists plan well. */
const CHUNK = 500;

export function findEventType(db: Db, name: string): Promise<EventTypeRow | undefined> {
  return db.selectFrom("WebhookEventType").selectAll().where("name", "=", name).executeTakeFirst();
}

export function listEventTypeRows(db: Db): Promise<EventTypeRow[]> {
  return db.selectFrom("WebhookEventType").selectAll().orderBy("name").execute();
}

/** The rows of the names given that exist, with their deprecation and schema. */
export async function eventTypesNamed(
  db: Db,
  names: readonly string[],
): Promise<Pick<EventTypeRow, "name" | "archivedAt" | "schema">[]> {
  const rows: Pick<EventTypeRow, "name" | "archivedAt" | "schema">[] = [];
  for (let i = 0; i < names.length; i += CHUNK) {
    const chunk = names.slice(i, i + CHUNK);
    rows.push(
      ...(await db
        .selectFrom("WebhookEventType")
        .select(["name", "archivedAt", "schema"])
        .where("name", "in", chunk)
        .execute()),
    );
  }
  return rows;
}

export async function insertEventType(db: Db, row: Insertable<WebhookEventType>): Promise<void> {
  await db.insertInto("WebhookEventType").values(row).execute();
}

export async function updateEventTypeRow(db: Db, name: string, set: Updateable<WebhookEventType>): Promise<void> {
  await db.updateTable("WebhookEventType").set(set).where("name", "=", name).execute();
}

export async function deleteEventTypeRow(db: Db, name: string): Promise<void> {
  await db.deleteFrom("WebhookEventType").where("name", "=", name).execute();
}
