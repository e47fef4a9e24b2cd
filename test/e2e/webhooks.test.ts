import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { signatureHeaders } from "../../src/lib/webhook-signing.js";
import { tempDir } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

const home = tempDir();
const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data"), INTG_ACTOR: "e2e" };
const json = async (args: string[], input?: string) => {
  const r = await intg([...args, "--json"], { env, input });
  expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
};

describe("intg webhooks through bin/intg", () => {
  afterAll(() => home.dispose());

  it("creates an endpoint (secret once), sends events to it, and lists the queued deliveries", async () => {
    const created = await intg(
      [
        "webhooks",
        "endpoints",
        "create",
        "--url",
        "http://127.0.0.1:4000/hook",
        "--allow-private-network",
        "--events",
        "invoice.*",
        "--retry-schedule",
        "5s,5m,30m",
        "--rate-limit",
        "50/s",
        "--header",
        "X-Team: billing",
      ],
      { env },
    );
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^whsec_/);
    const [endpoint] = await json(["webhooks", "endpoints", "list"]);
    expect(endpoint).toMatchObject({
      url: "http://127.0.0.1:4000/hook",
      eventFilter: ["invoice.*"],
      rateLimitPerSecond: 50,
      retry: { scheduleMs: [0, 5000, 300000, 1800000], source: "endpoint" },
      allowPrivateNetwork: true,
    });
    expect(JSON.stringify(endpoint)).not.toContain(secret);
    expect(JSON.stringify(await json(["webhooks", "endpoints", "show", endpoint.id]))).not.toContain(secret);

    await json(["webhooks", "event-types", "create", "invoice.paid"]);
    const event = await json([
      "webhooks",
      "send",
      "invoice.paid",
      "--data",
      '{"amount":10}',
      "--idempotency-key",
      "inv-1",
    ]);
    expect(event).toMatchObject({ type: "invoice.paid", deliveryCount: 1, payload: { data: { amount: 10 } } });
    expect(
      (await json(["webhooks", "send", "invoice.paid", "--data", '{"amount":10}', "--idempotency-key", "inv-1"])).id,
    ).toBe(event.id);
    const piped = await json(["webhooks", "send", "invoice.paid", "-"], '{"amount":11}');
    expect(piped.deliveryCount).toBe(1);

    const deliveries = await json(["webhooks", "deliveries", "list", "--status", "pending", "--endpoint", endpoint.id]);
    expect(deliveries).toHaveLength(2);
    const debug = await json(["webhooks", "deliveries", "show", deliveries[1].id]);
    expect(debug.event.id).toBe(event.id);
    // The stored bytes are what gets signed: a standardwebhooks receiver accepts them as they are.
    const headers = signatureHeaders([secret], event.id, Math.floor(Date.now() / 1000), debug.body);
    expect(new Webhook(secret).verify(debug.body, { ...headers })).toMatchObject({
      type: "invoice.paid",
      data: { amount: 10 },
    });

    const rotated = await json(["webhooks", "endpoints", "rotate-secret", endpoint.id, "--grace", "1h"]);
    expect(rotated.secret).not.toBe(secret);
    expect((await intg(["webhooks", "endpoints", "delete", endpoint.id], { env })).code).toBe(2); // needs --yes
    expect((await json(["webhooks", "endpoints", "delete", endpoint.id, "--dry-run"])).deleted).toBe(false);
    expect((await intg(["webhooks", "endpoints", "delete", endpoint.id, "--yes"], { env })).code).toBe(0);
    expect(await json(["webhooks", "endpoints", "list"])).toEqual([]);
  });

  it("exits 2 and writes nothing on bad input", async () => {
    const ep = await intg(
      ["webhooks", "endpoints", "create", "--url", "http://127.0.0.1:4000/x", "--allow-private-network"],
      { env },
    );
    expect(ep.code).toBe(0);
    const before = {
      endpoints: await json(["webhooks", "endpoints", "list"]),
      deliveries: await json(["webhooks", "deliveries", "list"]),
    };
    const batch = join(home.path, "bad.ndjson");
    writeFileSync(batch, '{"type":"invoice.paid","data":1}\n{"type":"invoice.paid"}\n');
    const bad: [string[], RegExp][] = [
      [["webhooks", "send", "invoice.paid", "--data", "{not json"], /not valid JSON/],
      [["webhooks", "send", "order.unknown", "--data", "{}"], /unknown event type/],
      [["webhooks", "send", "--batch-file", batch], /line 2/],
      [["webhooks", "endpoints", "create", "--url", "ftp://93.184.216.34/x"], /only http and https/],
      [["webhooks", "endpoints", "create", "--url", "http://127.0.0.1:4000/x"], /private/],
      [["webhooks", "endpoints", "create", "--url", "http://[::ffff:10.0.0.1]/x"], /private/],
      [["webhooks", "endpoints", "create", "--url", "http://localhost:4000/x"], /private/],
      [
        ["webhooks", "endpoints", "create", "--url", "https://93.184.216.34/x", "--retry-schedule", "5s,soon"],
        /not a duration/,
      ],
      [["webhooks", "endpoints", "create", "--url", "https://93.184.216.34/x", "--rate-limit", "fast"], /not a rate/],
      [["webhooks", "endpoints", "create", "--url", "https://93.184.216.34/x", "--header", "no-colon"], /name:value/],
      [
        ["webhooks", "endpoints", "create", "--url", "https://93.184.216.34/x", "--events", "Invoice Paid"],
        /Invalid event filter/,
      ],
    ];
    for (const [args, message] of bad) {
      const r = await intg(args, { env });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/at .*\.(c?js|ts):\d+/); // no stack trace
    }
    const unknown = await intg(["webhooks", "send", "order.unknown", "--data", "{}", "--json"], { env });
    expect(JSON.parse(unknown.stderr)).toMatchObject({ error: { code: "UNKNOWN_EVENT_TYPE" } });
    expect({
      endpoints: await json(["webhooks", "endpoints", "list"]),
      deliveries: await json(["webhooks", "deliveries", "list"]),
    }).toEqual(before);
    // The same private URL is fine once allowed for every endpoint.
    expect(
      (
        await intg(["webhooks", "endpoints", "create", "--url", "http://127.0.0.1:4000/x"], {
          env: { ...env, INTG_ALLOW_PRIVATE_NETWORKS: "1" },
        })
      ).code,
    ).toBe(0);
  });
});
