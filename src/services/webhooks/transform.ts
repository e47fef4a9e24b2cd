import { UsageError } from "../../errors.js";
import { compileTransformation, TransformError } from "../../lib/webhook-transform.js";
import type { JsonValue } from "../../types/common.js";
import type { WebhookEventTransformation } from "../../types/integration/webhook.types.js";
import type { ServiceContext } from "../context.js";
import { showEndpoint } from "./endpoint-rows.js";
import { findEventRow } from "./events.js";

export interface TransformPreview {
  endpointId: string;
  eventId: string;
  transformation: WebhookEventTransformation | null;
  /** The envelope as recorded. */
  before: JsonValue;
  /** What the endpoint is sent (and what is signed). */
  after: JsonValue;
}

/** `webhooks transform`: an event through an endpoint's transformation, without sending anything. */
export async function previewTransformation(
  ctx: Pick<ServiceContext, "sql">,
  endpointId: string,
  eventId: string,
): Promise<TransformPreview> {
  const endpoint = await showEndpoint(ctx, endpointId);
  const event = await findEventRow(ctx.sql, eventId);
  const payload = String(event.payload);
  let sent = payload;
  if (endpoint.transformation) {
    try {
      sent = await (await compileTransformation(endpoint.transformation))(payload);
    } catch (error) {
      if (error instanceof TransformError)
        throw new UsageError(
          `Endpoint ${endpointId}: ${error.message}.`,
          "Change it with: intg webhooks endpoints update <id> --transform '<expression>'",
          "TRANSFORMATION_FAILED",
        );
      throw error;
    }
  }
  return {
    endpointId,
    eventId,
    transformation: endpoint.transformation,
    before: JSON.parse(payload) as JsonValue,
    after: JSON.parse(sent) as JsonValue,
  };
}
