import { typed } from "../../db/kysely.js";
import { countEndpointDeliveries } from "../../db/queries/webhook-delivery/queue.js";
import { deleteEndpointRow } from "../../db/queries/webhook-endpoint.js";
import type { WebhookEndpointInfo } from "../../types/integration/webhook.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { findEndpointRow, toEndpointInfo } from "./endpoint-rows.js";

export interface EndpointDeletion {
  endpoint: WebhookEndpointInfo;
  dryRun: boolean;
  deleted: boolean;
  /** Its deliveries (and their attempts), which go with it. */
  deliveries: number;
}

/** Deletes an endpoint and, by cascade, its deliveries; with dryRun only says what would go. */
export async function deleteEndpoint(
  ctx: ServiceContext,
  id: string,
  options: { dryRun?: boolean } = {},
): Promise<EndpointDeletion> {
  return ctx.sql.transaction(async (tx) => {
    const endpoint = toEndpointInfo(await findEndpointRow(tx, id, true));
    const deliveries = await countEndpointDeliveries(typed(tx), id);
    if (options.dryRun) return { endpoint, dryRun: true, deleted: false, deliveries };
    await deleteEndpointRow(typed(tx), id);
    await recordAudit(
      { ...ctx, sql: tx },
      { action: "endpoint.delete", targetType: "endpoint", targetId: id, metadata: { url: endpoint.url, deliveries } },
    );
    return { endpoint, dryRun: false, deleted: true, deliveries };
  });
}
