import { createHmac } from "node:crypto";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { sign } from "../../src/lib/webhook-signing.js";
import { listen } from "../../src/services/webhooks/listener.js";
import type { WebhookListenEvent } from "../../src/types/integration/webhook.types.js";
import { startReceiver } from "../helpers/receiver.js";

// The listener in-process, with real sockets: what the e2e test does not reach cheaply.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async function withListener(
  options: { forwardTo?: URL; secrets?: string[] | null; now?: Date },
  run: (url: string, events: WebhookListenEvent[]) => Promise<void>,
) {
  const stop = new AbortController();
  const events: WebhookListenEvent[] = [];
  let resolveUrl!: (url: string) => void;
  const ready = new Promise<string>((r) => (resolveUrl = r));
  const done = listen({
    port: 0,
    secrets: options.secrets === undefined ? [SECRET] : options.secrets,
    toleranceMs: 300_000,
    forwardTo: options.forwardTo ?? null,
    now: () => options.now ?? new Date(),
    signal: stop.signal,
    onListening: resolveUrl,
    onEvent: (e) => events.push(e),
  });
  try {
    await run(await ready, events);
  } finally {
    stop.abort();
  }
  return done;
}

const post = (url: string, headers: Record<string, string>, body: string) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
const swHeaders = (body: string, ts = Math.floor(Date.now() / 1000)) => ({
  "webhook-id": "msg_1",
  "webhook-timestamp": String(ts),
  "webhook-signature": sign(SECRET, "msg_1", ts, body),
});

describe("webhooks listen (service)", () => {
  it("reports a forward that cannot connect, and answers the sender 502 so it retries (as stripe listen does)", async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const summary = await withListener(
      { forwardTo: new URL(`http://127.0.0.1:${port}/hooks`) },
      async (url, events) => {
        const body = '{"type":"a.b"}';
        expect((await post(url, swHeaders(body), body)).status).toBe(502);
        expect(events[0]).toMatchObject({ valid: true, status: 502, forward: { status: null, error: "ECONNREFUSED" } });
      },
    );
    expect(summary.events).toBe(1);
  });

  it("answers 401 for a valid signature outside the tolerance, naming the skew, and does not forward it", async () => {
    const app = await startReceiver();
    try {
      await withListener({ forwardTo: new URL(app.url) }, async (url, events) => {
        const body = '{"type":"a.b"}';
        const res = await post(url, swHeaders(body, Math.floor(Date.now() / 1000) - 3600), body);
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: "timestamp_too_old" });
        expect(events[0]).toMatchObject({
          valid: false,
          cause: "timestamp_too_old",
          forward: null,
          explanation: expect.stringMatching(/signature itself is valid/),
        });
      });
      expect(app.received).toHaveLength(0);
    } finally {
      await app.close();
    }
  });

  it("verifies Stripe's scheme and takes the event id from the body", async () => {
    await withListener({}, async (url, events) => {
      const body = '{"id":"evt_1","type":"charge.succeeded"}';
      const t = Math.floor(Date.now() / 1000);
      const v1 = createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex");
      expect((await post(url, { "stripe-signature": `t=${t},v1=${v1}` }, body)).status).toBe(200);
      expect(events[0]).toMatchObject({ id: "evt_1", type: "charge.succeeded", valid: true, cause: null });
    });
  });

  it("without secrets accepts everything, unverified", async () => {
    await withListener({ secrets: null }, async (url, events) => {
      expect((await post(url, {}, "not json")).status).toBe(200);
      expect(events[0]).toMatchObject({ id: null, type: null, valid: null, status: 200 });
    });
  });
});
