import { typed } from "../../../db/kysely.js";
import { exportPage } from "../../../db/queries/webhook-delivery/select.js";
import { signatureHeaders } from "../../../lib/webhook-signing.js";
import type { DeliveryStatus } from "../../../types/enums.js";
import type { WebhookExportRecord } from "../../../types/integration/webhook.types.js";
import type { ServiceContext } from "../../context.js";
import { showEndpoint } from "../endpoint-rows.js";
import { signingSecrets } from "../endpoint-secret.js";
import { endpointHeaders, redactedEndpointHeaders } from "../endpoint-headers.js";
import { WEBHOOK_REQUEST_HEADERS } from "../../../lib/webhook-signature-headers.js";

// `webhooks export`: deliveries as NDJSON records that `webhooks replay --from` re-sends without a
// database. Headers and body are those of one request, the last attempt's that sent one: the
// bytes it signed and sent (a transformation's output, or the event's stored payload, never
// re-serialised), so the exported signature is exactly what the receiver saw. A delivery never
// sent has neither, so its stored payload is signed at export time with the endpoint's current
// secrets (the worker's own header set): either way webhook-signature verifies over the exported
// body, webhook-id and webhook-timestamp.
//
// The endpoint's own extra headers are often its credential: they are left out (their names are
// listed in endpointHeaderNames) unless `withEndpointHeaders` asks for them, and then they are the
// endpoint's current values, opened from their sealed form (attempt records keep them redacted).

export interface ExportFilter {
  endpointId: string | null;
  eventId: string | null;
  status: DeliveryStatus[] | null;
  since: Date | null;
  until: Date | null;
}

// Keyset pages: an export of millions of deliveries never holds more than one page in memory.
const PAGE = 500;

export async function exportDeliveries(
  ctx: ServiceContext,
  filter: ExportFilter,
  write: (record: WebhookExportRecord) => Promise<void> | void,
  options: { withEndpointHeaders?: boolean } = {},
): Promise<number> {
  if (filter.endpointId) await showEndpoint(ctx, filter.endpointId); // exit 5 for an unknown endpoint
  const exportedAt = ctx.now();
  // Per endpoint, looked up once: its secrets (for deliveries never attempted) and own headers.
  const signers = new Map<string, Promise<string[]>>();
  const endpointHeadersOf = new Map<string, Promise<Record<string, string>>>();
  const once = <T>(cache: Map<string, Promise<T>>, id: string, load: () => Promise<T>): Promise<T> => {
    if (!cache.has(id)) cache.set(id, load());
    return cache.get(id)!;
  };
  let after = "";
  let count = 0;
  for (;;) {
    // Each delivery with the request of its last attempt that sent one (see exportPage).
    const rows = await exportPage(typed(ctx.sql), filter, after, PAGE);
    for (const r of rows) {
      const { eventId, endpointId } = r;
      let body = r.payload;
      let headers: Record<string, string>;
      let headersSource: WebhookExportRecord["headersSource"] = "last_attempt";
      const seen: string[] = [];
      if (r.lastHeaders !== null) {
        // The bytes that attempt signed, when they were not the payload itself (a transformation).
        if (r.lastBody !== null) body = r.lastBody;
        // Older attempt rows hold the endpoint's header values in the clear: never copied out.
        headers = {};
        for (const [k, v] of Object.entries(r.lastHeaders as Record<string, string>)) {
          if (WEBHOOK_REQUEST_HEADERS.test(k.toLowerCase())) headers[k] = v;
          else seen.push(k);
        }
      } else {
        headersSource = "signed_at_export";
        const secrets = await once(signers, endpointId, () => signingSecrets(ctx, endpointId));
        headers = {
          "content-type": "application/json",
          "user-agent": "intg-webhooks/1",
          ...signatureHeaders(secrets, eventId, Math.floor(exportedAt.getTime() / 1000), body),
        };
      }
      // Opened only when asked for: without the flag the names (readable at rest) are enough.
      const own = await once(endpointHeadersOf, endpointId, () =>
        options.withEndpointHeaders ? endpointHeaders(ctx, endpointId) : redactedEndpointHeaders(ctx, endpointId),
      );
      // The endpoint's order first (jsonb on PostgreSQL reorders a recorded object's keys).
      const names = [...new Set([...Object.keys(own), ...seen])];
      if (options.withEndpointHeaders) headers = { ...own, ...headers };
      await write({
        deliveryId: r.id,
        eventId,
        endpointId,
        webhookId: headers["webhook-id"] ?? eventId,
        eventType: r.type,
        status: r.status,
        attemptCount: r.attemptCount,
        headersSource,
        headers,
        endpointHeaderNames: names,
        body,
        eventTimestamp: r.timestamp.toISOString(),
        createdAt: r.createdAt.toISOString(),
        lastAttemptAt: r.lastAttemptAt?.toISOString() ?? null,
        deliveredAt: r.deliveredAt?.toISOString() ?? null,
        exportedAt: exportedAt.toISOString(),
      });
      count++;
    }
    if (rows.length < PAGE) return count;
    after = rows[rows.length - 1]!.id;
  }
}
