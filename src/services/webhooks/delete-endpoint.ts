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
export async function deleteEndpoint(ctx: ServiceContext, id: string, options: { dryRun?: boolean } = {}): Promise<EndpointDeletion> {
  return ctx.sql.transaction(async (tx) => {
    const endpoint = toEndpointInfo(await findEndpointRow(tx, id, true));
    const count = await tx.get<{ n: number | string }>(`SELECT COUNT(*) AS "n" FROM "WebhookDelivery" WHERE "endpointId" = ?`, [id]);
    const deliveries = Number(count?.n ?? 0);
    if (options.dryRun) return { endpoint, dryRun: true, deleted: false, deliveries };
    await tx.run(`DELETE FROM "WebhookEndpoint" WHERE "id" = ?`, [id]);
    await recordAudit({ ...ctx, sql: tx }, { action: "endpoint.delete", targetType: "endpoint", targetId: id, metadata: { url: endpoint.url, deliveries } });
    return { endpoint, dryRun: false, deleted: true, deliveries };
  });
}
