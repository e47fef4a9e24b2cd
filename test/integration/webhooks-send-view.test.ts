import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEndpoint } from "../../src/services/webhooks/create-endpoint.js";
import { createEventType } from "../../src/services/webhooks/event-types.js";
import { findEventRow, toEventInfo } from "../../src/services/webhooks/events.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";
import { ENDPOINT_DEFAULTS } from "../helpers/webhook-bed.js";

// A send builds each new event's view from what it wrote instead of reading the row back (half of
// a batch's statements). The view must still be exactly what a later read of the row gives.

describe.each(PROVIDERS)("a send's view on %s", (provider) => {
  let t: TestServices;
  beforeAll(async () => {
    t = await testServices(provider);
    await createEventType(t.ctx, { name: "invoice.paid", description: null, schema: null });
    await createEventType(t.ctx, { name: "customer.created", description: null, schema: null });
    await createEventType(t.ctx, { name: "order.shipped", description: null, schema: null });
    await createEndpoint(t.ctx, { ...ENDPOINT_DEFAULTS, url: "http://127.0.0.1:9/hook", eventFilter: ["invoice.*"] });
    await createEndpoint(t.ctx, {
      ...ENDPOINT_DEFAULTS,
      url: "http://127.0.0.1:9/hook",
      eventFilter: ["invoice.*", "customer.*"],
    });
  });
  afterAll(async () => t?.dispose());

  it("equals the stored event, field for field and in the same key order", async () => {
    const raw = '{ "b" : [1, 2.50, "\\u00e9"], "a":{"z":null} }';
    const result = await sendBatch(t.ctx, {
      allowUnknownType: false,
      events: [
        { line: 1, type: "invoice.paid", data: { amount: 5 }, idempotencyKey: "view-1" },
        { line: 2, type: "customer.created", data: JSON.parse(raw), rawData: raw, idempotencyKey: null },
        { line: 3, type: "order.shipped", data: ["x"], idempotencyKey: null },
      ],
    });
    expect(result.events.map((e) => e.event.deliveryCount)).toEqual([2, 1, 0]);
    for (const { event } of result.events) {
      const stored = toEventInfo(await findEventRow(t.ctx.sql, event.id));
      expect(JSON.stringify(event)).toBe(JSON.stringify(stored));
    }
  });
});
