import { DeliveryStatus } from "../../generated/kysely/enums.js";
import type { Db } from "../../kysely.js";
import { prepared } from "../../prepared.js";

// What a worker holds of one endpoint: the rate-limited claim takes no more than its cap of them.

const held = prepared(["owner", "endpoint", "now"], (k, p) =>
  k
    .selectFrom("WebhookDelivery")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("endpointId", "=", p.endpoint)
    .where("status", "=", DeliveryStatus.SENDING)
    .where("leaseOwner", "=", p.owner)
    .where("leaseExpiresAt", ">", p.now),
);

/**
 * How many of `endpoint`'s deliveries `owner` has leased and not yet recorded or handed back: waiting
 * for their slot, in flight, or sent and waiting to be recorded. Found through the (endpointId,
 * status, …) index: a worker holds a few of a rate-limited endpoint's, never its backlog. Leases run
 * out by `now` are not held: those of a claim whose answer was lost filled the bound for good.
 */
export async function heldOfEndpoint(db: Db, owner: string, endpoint: string, now: Date): Promise<number> {
  return Number((await held.first(db, { owner, endpoint, now }))?.n ?? 0);
}
