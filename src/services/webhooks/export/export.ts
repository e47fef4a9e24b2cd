import { col } from "../../../db/sql.js";
import { signatureHeaders } from "../../../lib/webhook-signing.js";
import type { DeliveryStatus } from "../../../types/enums.js";
import type { WebhookExportRecord } from "../../../types/integration/webhook.types.js";
import type { ServiceContext } from "../../context.js";
import { showEndpoint } from "../endpoint-rows.js";
import { signingSecrets } from "../endpoint-secret.js";

// `webhooks export`: deliveries as NDJSON records that `webhooks replay --from` re-sends without a
// database. The body is the stored payload, never re-serialised (that would break signatures).
// Headers are the last attempt's, so the exported signature is exactly what the receiver saw;
// a delivery never attempted has none, so it is signed at export time with the endpoint's current
// secrets (the worker's own header set): either way webhook-signature verifies over the exported
// body, webhook-id and webhook-timestamp.

export interface ExportFilter {
  endpointId: string | null;
  eventId: string | null;
  status: DeliveryStatus[] | null;
  since: Date | null;
  until: Date | null;
}

// Keyset pages: an export of millions of deliveries never holds more than one page in memory.
const PAGE = 500;

export async function exportDeliveries(ctx: ServiceContext, filter: ExportFilter, write: (record: WebhookExportRecord) => Promise<void> | void): Promise<number> {
  if (filter.endpointId) await showEndpoint(ctx, filter.endpointId); // exit 5 for an unknown endpoint
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.endpointId) (where.push(`d."endpointId" = ?`), params.push(filter.endpointId));
  if (filter.eventId) (where.push(`d."eventId" = ?`), params.push(filter.eventId));
  if (filter.status?.length) (where.push(`d."status" IN (${filter.status.map(() => "?").join(",")})`), params.push(...filter.status));
  if (filter.since) (where.push(`d."createdAt" >= ?`), params.push(filter.since));
  if (filter.until) (where.push(`d."createdAt" < ?`), params.push(filter.until));
  const exportedAt = ctx.now();
  // Per endpoint, looked up once: its secrets and own headers, for deliveries never attempted.
  const signers = new Map<string, { secrets: string[]; headers: Record<string, string> }>();
  let after = "";
  let count = 0;
  for (;;) {
    const rows = await ctx.sql.all(
      `SELECT d."id", d."eventId", d."endpointId", d."status", d."attemptCount", d."createdAt", d."lastAttemptAt", d."deliveredAt", ev."type", ev."payload", ev."timestamp",
        (SELECT a."requestHeaders" FROM "WebhookDeliveryAttempt" a WHERE a."deliveryId" = d."id" ORDER BY a."startedAt" DESC, a."attemptNumber" DESC, a."id" DESC LIMIT 1) AS "lastHeaders"
       FROM "WebhookDelivery" d JOIN "WebhookEvent" ev ON ev."id" = d."eventId"
       WHERE d."id" > ?${where.map((w) => ` AND ${w}`).join("")} ORDER BY d."id" LIMIT ?`,
      [after, ...params, PAGE],
    );
    for (const r of rows) {
      const eventId = String(r.eventId);
      const endpointId = String(r.endpointId);
      const body = String(r.payload);
      let headers: Record<string, string>;
      let headersSource: WebhookExportRecord["headersSource"] = "last_attempt";
      if (r.lastHeaders !== null && r.lastHeaders !== undefined) headers = col.json<Record<string, string>>(r.lastHeaders);
      else {
        headersSource = "signed_at_export";
        let signer = signers.get(endpointId);
        if (!signer) signers.set(endpointId, (signer = { secrets: await signingSecrets(ctx, endpointId), headers: (await showEndpoint(ctx, endpointId)).headers ?? {} }));
        headers = { ...signer.headers, "content-type": "application/json", "user-agent": "intg-webhooks/1", ...signatureHeaders(signer.secrets, eventId, Math.floor(exportedAt.getTime() / 1000), body) };
      }
      await write({
        deliveryId: String(r.id),
        eventId,
        endpointId,
        webhookId: headers["webhook-id"] ?? eventId,
        eventType: String(r.type),
        status: r.status as DeliveryStatus,
        attemptCount: col.int(r.attemptCount),
        headersSource,
        headers,
        body,
        eventTimestamp: col.iso(r.timestamp)!,
        createdAt: col.iso(r.createdAt)!,
        lastAttemptAt: col.iso(r.lastAttemptAt),
        deliveredAt: col.iso(r.deliveredAt),
        exportedAt: exportedAt.toISOString(),
      });
      count++;
    }
    if (rows.length < PAGE) return count;
    after = String(rows[rows.length - 1]!.id);
  }
}
