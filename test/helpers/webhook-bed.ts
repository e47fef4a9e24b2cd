import { generateMasterKey } from "../../src/lib/crypto.js";
import type { ServiceContext } from "../../src/services/context.js";
import { createEndpoint } from "../../src/services/webhooks/create-endpoint.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import type { Claimed } from "../../src/services/webhooks/worker/claim.js";
import type { Finished } from "../../src/services/webhooks/worker/record.js";
import type { EndpointInput } from "../../src/services/webhooks/endpoint-input.js";
import type { WebhookEndpointCreated } from "../../src/types/integration/webhook.types.js";
import { startReceiver, type Answer, type Received, type Receiver } from "./receiver.js";
import { testServices, type TestServices } from "./services.js";

// The webhook integration tests' bed: a migrated database with a pinned clock and a master key,
// and endpoints that each POST to a real receiver of their own, which knows the endpoint's secret.

export const ENDPOINT_DEFAULTS: EndpointInput = {
  url: "",
  description: null,
  channel: "HTTP",
  eventFilter: [],
  headers: null,
  timeoutMs: 5_000,
  retryScheduleMs: null,
  rateLimitPerSecond: null,
  allowPrivateNetwork: true,
};

export interface WebhookBed {
  t: TestServices;
  ctx: ServiceContext;
  endpoint(
    respond?: (r: Received) => Answer,
    input?: Partial<EndpointInput>,
  ): Promise<{ receiver: Receiver; ep: WebhookEndpointCreated }>;
  dispose(): Promise<void>;
}

export async function webhookBed(
  provider: "sqlite" | "postgresql",
  defaults: Partial<EndpointInput> = {},
): Promise<WebhookBed> {
  const t = await testServices(provider);
  const ctx: ServiceContext = { ...t.ctx, env: { INTG_MASTER_KEY: generateMasterKey().bytes.toString("base64") } };
  const receivers: Receiver[] = [];
  return {
    t,
    ctx,
    async endpoint(respond, input = {}) {
      const receiver = await startReceiver({ respond });
      receivers.push(receiver);
      const ep = await createEndpoint(ctx, { ...ENDPOINT_DEFAULTS, ...defaults, url: receiver.url, ...input });
      receiver.secrets = [ep.secret];
      return { receiver, ep };
    },
    async dispose() {
      await Promise.all(receivers.splice(0).map((r) => r.close()));
      await t.dispose();
    },
  };
}

/** Sends `n` events of one type to every endpoint they match, as `webhooks send` would. */
export function sendEvents(ctx: ServiceContext, n: number, type = "invoice.paid") {
  return sendBatch(ctx, {
    events: Array.from({ length: n }, (_, i) => ({
      line: i + 1,
      type,
      data: { i },
      idempotencyKey: null,
    })),
    allowUnknownType: true,
  });
}

/** A first attempt at a claimed delivery, started at `now`, finished as `parts` say. */
export function finishedAttempt(
  c: Pick<Claimed, "id" | "eventId" | "endpointId">,
  now: Date,
  parts: Pick<Finished, "result" | "outcome"> & Partial<Finished>,
): Finished {
  return {
    deliveryId: c.id,
    eventId: c.eventId,
    endpointId: c.endpointId,
    attemptNumber: 1,
    trigger: "scheduled",
    startedAt: now,
    requestHeaders: { "webhook-id": c.eventId },
    requestBody: null,
    ...parts,
  };
}
