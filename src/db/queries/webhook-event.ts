import { count, type Db } from "../kysely.js";

// Every statement on "WebhookEvent": the events sent, each with its exact payload.

export async function countEventsOfType(db: Db, type: string): Promise<number> {
  const row = await db.selectFrom("WebhookEvent").select((eb) => eb.fn.countAll().as("n")).where("type", "=", type).executeTakeFirst();
  return count(row?.n);
}

// ─── the worker, deliveries, export and replay ───

export async function eventExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom("WebhookEvent").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
}
