import { typed } from "../../db/kysely.js";
import { cancelEndpointBacklogRows } from "../../db/queries/webhook-delivery/queue.js";
import type { SqlClient } from "../../db/sql.js";

/**
 * Cancels what a disabled endpoint would otherwise leave behind: its PENDING deliveries, and those
 * SENDING under a lease that has run out (a worker died holding them). Claims skip disabled
 * endpoints, so such a row would stay SENDING forever. "Expired" is the claim's own test
 * (leaseExpiresAt <= now), so a row no worker could still be recording is never left out; a live
 * lease is left to its worker, whose result then lands as usual. Returns how many were cancelled.
 */
export async function cancelEndpointBacklog(sql: SqlClient, endpointId: string, now: Date): Promise<number> {
  return cancelEndpointBacklogRows(typed(sql), endpointId, now);
}
