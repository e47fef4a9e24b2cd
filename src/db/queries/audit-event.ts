import type { Insertable, Selectable } from "kysely";
import type { AuditEvent } from "../generated/kysely/types.js";
import { count, type Db } from "../kysely.js";
import { prepared } from "../prepared.js";
import { LOCK, transactionLock } from "./advisory-lock.js";

// Every statement on "AuditEvent": the tamper-evident log, one chain in `seq` order.

export type AuditRow = Selectable<AuditEvent>;
export type AuditLink = Pick<AuditRow, "seq" | "hash">;
export type NewAuditRow = Required<Insertable<AuditEvent>>;

/** Keyed links (services/audit/chain.ts) start so. */
const KEYED = "k1:%";

/**
 * Serialises appends to the chain until the caller's transaction ends. PostgreSQL only: on SQLite
 * the write lock (BEGIN IMMEDIATE) is already held.
 */
export async function lockAuditChain(db: Db): Promise<void> {
  await transactionLock(db, LOCK.auditChain);
}

// The append runs in many transactions (each audited change): its two statements compile once.
const last = prepared<AuditLink, never>(
  [],
  (db) => db.selectFrom("AuditEvent").select(["seq", "hash"]).orderBy("seq", "desc").limit(1),
  { key: "audit-event.last" },
);
const COLUMNS = ["id", "seq", "prevHash", "hash", "action", "actor", "targetType", "targetId", "outcome"] as const;
const insert = prepared(
  [...COLUMNS, "reason", "metadata", "createdAt"],
  (db, p) => db.insertInto("AuditEvent").values({ ...p }),
  { key: "audit-event.insert" },
);

/** The newest event's place in the chain. */
export function lastAuditEvent(db: Db): Promise<AuditLink | undefined> {
  return last.first(db, {});
}

/** Appends one event; `metadata` as JSON text (jsonText) or null. */
export async function insertAuditEvent(db: Db, row: NewAuditRow): Promise<void> {
  await insert.run(db, row);
}

/** The newest keyed event, for the head kept outside the database. */
export function lastKeyedAuditEvent(db: Db): Promise<AuditRow | undefined> {
  const q = db.selectFrom("AuditEvent").selectAll().where("hash", "like", KEYED);
  return q.orderBy("seq", "desc").limit(1).executeTakeFirst();
}

export async function auditHashAt(db: Db, seq: number): Promise<string | undefined> {
  return (await db.selectFrom("AuditEvent").select("hash").where("seq", "=", seq).executeTakeFirst())?.hash;
}

/** A page of the chain from `seq` on, in order. */
export function auditEventsFrom(db: Db, seq: number, limit: number): Promise<AuditRow[]> {
  return db.selectFrom("AuditEvent").selectAll().where("seq", ">=", seq).orderBy("seq").limit(limit).execute();
}

export interface AuditFilter {
  since?: Date;
  /** A target id, or a target type. */
  target?: string;
  action?: string;
  limit: number;
}

/** The newest events first. */
export function listAuditEvents(db: Db, q: AuditFilter): Promise<AuditRow[]> {
  const target = q.target;
  return db
    .selectFrom("AuditEvent")
    .selectAll()
    .$if(Boolean(q.since), (b) => b.where("createdAt", ">=", q.since!))
    .$if(Boolean(target), (b) => b.where((eb) => eb.or([eb("targetId", "=", target!), eb("targetType", "=", target!)])))
    .$if(Boolean(q.action), (b) => b.where("action", "=", q.action!))
    .orderBy("seq", "desc")
    .limit(q.limit)
    .execute();
}

/** Keyed events: any means the chain was keyed once (an integrity root existed). */
export async function countKeyedAuditEvents(db: Db): Promise<number> {
  const q = db
    .selectFrom("AuditEvent")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("hash", "like", KEYED);
  return count((await q.executeTakeFirst())?.n);
}
