import type { Insertable, Selectable } from "kysely";
import type { ExternalShareLink } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";

// Every statement on "ExternalShareLink": tokens that resolve to one reference, stored as hashes.

/** A link as views show it: everything but the token's hash. */
export type ShareLinkRow = Omit<Selectable<ExternalShareLink>, "tokenHash">;

const COLUMNS = [
  "id",
  "referenceId",
  "expiresAt",
  "revokedAt",
  "maxUses",
  "accessCount",
  "lastAccessedAt",
  "createdBy",
  "createdAt",
] as const;

export function shareLinkById(db: Db, id: string): Promise<ShareLinkRow | undefined> {
  return db.selectFrom("ExternalShareLink").select(COLUMNS).where("id", "=", id).executeTakeFirst();
}

export function shareLinkByTokenHash(db: Db, tokenHash: string): Promise<ShareLinkRow | undefined> {
  return db.selectFrom("ExternalShareLink").select(COLUMNS).where("tokenHash", "=", tokenHash).executeTakeFirst();
}

/** Every link, or one reference's, oldest first. */
export function shareLinkRows(db: Db, referenceId: string | null): Promise<ShareLinkRow[]> {
  let q = db.selectFrom("ExternalShareLink").select(COLUMNS);
  if (referenceId !== null) q = q.where("referenceId", "=", referenceId);
  return q.orderBy("id").execute();
}

export async function insertShareLink(db: Db, row: Insertable<ExternalShareLink>): Promise<void> {
  await db.insertInto("ExternalShareLink").values(row).execute();
}

export async function revokeShareLinkRow(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable("ExternalShareLink").set({ revokedAt: at }).where("id", "=", id).execute();
}

/**
 * Takes one use of the link with that token, if it can still be used: one conditional UPDATE, so
 * two processes resolving the last use cannot both get it. True when a use was taken.
 */
export async function takeShareLinkUse(db: Db, tokenHash: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable("ExternalShareLink")
    .set((eb) => ({ accessCount: eb("accessCount", "+", 1), lastAccessedAt: now }))
    .where("tokenHash", "=", tokenHash)
    .where("revokedAt", "is", null)
    .where("expiresAt", ">", now)
    .where((eb) => eb.or([eb("maxUses", "is", null), eb("accessCount", "<", eb.ref("maxUses"))]))
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}
