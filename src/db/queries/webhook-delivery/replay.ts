import { DeliveryStatus } from "../../generated/kysely/enums.js";
import type { Db } from "../../kysely.js";
import { prepared } from "../../prepared.js";
import { CLAIMED_COLUMNS, type ClaimedDelivery } from "./claim.js";

// A replay's hold on the deliveries it sends.

type HoldValues = { id: string; owner: string; lease: Date; now: Date };
type NewHoldValues = HoldValues & { eventId: string; endpointId: string };

// A replay holds each of its deliveries in turn, thousands in one transaction: compiled once.
const holdExisting = prepared(["id", "owner", "lease", "now"], (k, p) =>
  k
    .updateTable("WebhookDelivery")
    .set({ status: DeliveryStatus.SENDING, leaseOwner: p.owner, leaseExpiresAt: p.lease, updatedAt: p.now })
    .where("id", "=", p.id)
    .where("status", "<>", DeliveryStatus.SENDING),
);
const holdCreated = prepared(["id", "eventId", "endpointId", "owner", "lease", "now"], (k, p) =>
  k
    .insertInto("WebhookDelivery")
    .values({
      id: p.id,
      eventId: p.eventId,
      endpointId: p.endpointId,
      status: DeliveryStatus.SENDING,
      attemptCount: 0,
      leaseOwner: p.owner,
      leaseExpiresAt: p.lease,
      createdAt: p.now,
      updatedAt: p.now,
    })
    .onConflict((oc) => oc.columns(["eventId", "endpointId"]).doNothing()),
);

/**
 * Leases a delivery to a replay unless a worker is sending it. False when it was not taken.
 */
export async function holdDelivery(db: Db, values: HoldValues): Promise<boolean> {
  return ((await holdExisting.run(db, values)).numAffectedRows ?? 0n) > 0n;
}

/** A new delivery, leased to a replay from the start; false when the pair already has one. */
export async function insertHeldDelivery(db: Db, values: NewHoldValues): Promise<boolean> {
  return ((await holdCreated.run(db, values)).numAffectedRows ?? 0n) > 0n;
}

/** The replay's claim: renews the lease of those of `ids` that `owner` still holds, and hands them out. */
export function renewHeld(
  db: Db,
  owner: string,
  ids: readonly string[],
  lease: Date,
  now: Date,
): Promise<ClaimedDelivery[]> {
  return db
    .updateTable("WebhookDelivery")
    .set({ leaseExpiresAt: lease, updatedAt: now })
    .where("leaseOwner", "=", owner)
    .where("status", "=", DeliveryStatus.SENDING)
    .where("id", "in", ids)
    .returning(CLAIMED_COLUMNS)
    .execute();
}
