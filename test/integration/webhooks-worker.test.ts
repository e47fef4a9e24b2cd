import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sealConfig } from "../../src/services/integrity/config.js";
import { openSql } from "../../src/db/sql.js";
import { col } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import type { ServiceContext } from "../../src/services/context.js";
import { createEndpoint } from "../../src/services/webhooks/create-endpoint.js";
import type { EndpointInput } from "../../src/services/webhooks/endpoint-input.js";
import { rotateEndpointSecret } from "../../src/services/webhooks/rotate-secret.js";
import { setEndpointEnabled, updateEndpoint } from "../../src/services/webhooks/update-endpoint.js";
import { deleteEndpoint } from "../../src/services/webhooks/delete-endpoint.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { claimDue } from "../../src/services/webhooks/worker/claim.js";
import { encodeAttempts, recordBatch, type Finished } from "../../src/services/webhooks/worker/record.js";
import { runWorker, type WorkerOptions } from "../../src/services/webhooks/worker/run.js";
import { threadStore } from "../../src/services/webhooks/worker/store-thread.js";
import { type DeliveryStore, sqlStore } from "../../src/services/webhooks/worker/store.js";
import { PACKAGE_ROOT } from "../../src/lib/package-root.js";
import { join } from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PROVIDERS } from "../helpers/databases.js";
import type { Answer, Receiver } from "../helpers/receiver.js";
import type { TestServices } from "../helpers/services.js";
import { ENDPOINT_DEFAULTS, webhookBed, type WebhookBed } from "../helpers/webhook-bed.js";

const DAY = 86_400_000;
const base = ENDPOINT_DEFAULTS;
const once: WorkerOptions = {
  concurrency: 8,
  once: true,
  maxTimeMs: null,
  leaseMs: 60_000,
  disableAfterMs: 5 * DAY,
  pollMs: 50,
};

type DeliveryRow = {
  id: string;
  status: string;
  attemptCount: unknown;
  nextAttemptAt: unknown;
  lastStatusCode: unknown;
};
const deliveries = (ctx: ServiceContext) =>
  ctx.sql.all<DeliveryRow>(
    `SELECT "id","status","attemptCount","nextAttemptAt","lastStatusCode" FROM "WebhookDelivery" ORDER BY "id"`,
  );
const nextIn = (row: DeliveryRow, now: Date) => col.date(row.nextAttemptAt).getTime() - now.getTime();

describe.each(PROVIDERS)("the delivery worker on %s", (provider) => {
  let bed: WebhookBed;
  let t: TestServices;
  let ctx: ServiceContext;
  const receivers: Receiver[] = []; // the tests' own servers, closed after each test
  beforeEach(async () => {
    bed = await webhookBed(provider);
    ({ t, ctx } = bed);
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await bed.dispose();
  });
  const endpointTo = (respond: ((r: { nth: number }) => Answer) | undefined, input: Partial<EndpointInput> = {}) =>
    bed.endpoint(respond, input);
  const send = (n: number) =>
    sendBatch(ctx, {
      events: Array.from({ length: n }, (_, i) => ({
        line: i + 1,
        type: "invoice.paid",
        data: { n: i },
        idempotencyKey: null,
      })),
      allowUnknownType: true,
    });

  it("delivers signed payloads, records every attempt, and marks the deliveries DELIVERED", async () => {
    const { receiver, ep } = await endpointTo(undefined, { headers: { "X-Team": "billing" } });
    const sent = await send(30);
    const summary = await runWorker(ctx, once);
    expect(summary).toMatchObject({ attempts: 30, delivered: 30, retrying: 0, failed: 0 });
    expect(receiver.received).toHaveLength(30);
    expect(receiver.received.every((r) => r.valid && r.headers["x-team"] === "billing")).toBe(true);
    const stored = new Map(sent.events.map((e) => [e.event.id, JSON.stringify(e.event.payload)]));
    expect(receiver.received.every((r) => r.body === stored.get(r.id))).toBe(true);
    expect(
      (await deliveries(ctx)).every(
        (d) => d.status === "DELIVERED" && col.int(d.attemptCount) === 1 && col.int(d.lastStatusCode) === 200,
      ),
    ).toBe(true);
    const attempts = await ctx.sql.all<Record<string, unknown>>(`SELECT * FROM "WebhookDeliveryAttempt"`);
    expect(attempts).toHaveLength(30);
    const a = attempts[0]!;
    expect(a).toMatchObject({
      attemptNumber: 1,
      trigger: "scheduled",
      statusCode: 200,
      responseBody: "ok",
      error: null,
    });
    expect(col.bool(a.succeeded)).toBe(true);
    expect(col.json<Record<string, string>>(a.requestHeaders)["webhook-id"]).toMatch(/^evt_/);
    // What was sent is recorded, but the endpoint's own header values only as redacted.
    expect(attempts.map((x) => col.json<Record<string, string>>(x.requestHeaders)["X-Team"])).toEqual(
      Array(30).fill("[redacted]"),
    );
    expect(JSON.stringify(attempts)).not.toContain("billing");
    expect(col.json<Record<string, string>>(a.responseHeaders)["content-type"]).toBe("text/plain");
    expect(JSON.stringify(attempts)).not.toContain(ep.secret);
    expect(
      (await ctx.sql.get<{ lastSuccessAt: unknown }>(`SELECT "lastSuccessAt" FROM "WebhookEndpoint"`))!.lastSuccessAt,
    ).not.toBeNull();
    expect((await runWorker(ctx, once)).attempts).toBe(0);
  });

  it("signs with both secrets during a rotation grace", async () => {
    const { receiver, ep } = await endpointTo(undefined);
    const rotated = await rotateEndpointSecret(ctx, ep.id, { graceMs: 3_600_000 });
    receiver.secrets = [rotated.secret, ep.secret];
    await send(3);
    await runWorker(ctx, once);
    expect(receiver.received.map((r) => r.valid)).toEqual([true, true, true]);
    expect(String(receiver.received[0]!.headers["webhook-signature"]).split(" ")).toHaveLength(2);
  });

  it("retries a 500 on the endpoint's schedule with ±20% jitter, then fails for good", async () => {
    const { receiver } = await endpointTo(() => ({ status: 500 }), { retryScheduleMs: [0, 10_000, 100_000] });
    await send(20);
    await runWorker(ctx, once);
    let rows = await deliveries(ctx);
    expect(rows.every((d) => d.status === "PENDING" && col.int(d.attemptCount) === 1)).toBe(true);
    for (const d of rows)
      expect(nextIn(d, ctx.now())).toBeGreaterThanOrEqual(8_000),
        expect(nextIn(d, ctx.now())).toBeLessThanOrEqual(12_000);
    expect((await runWorker(ctx, once)).attempts).toBe(0); // nothing is due yet
    t.advance(12_001);
    expect((await runWorker(ctx, once)).retrying).toBe(20);
    rows = await deliveries(ctx);
    for (const d of rows)
      expect(nextIn(d, ctx.now())).toBeGreaterThanOrEqual(80_000),
        expect(nextIn(d, ctx.now())).toBeLessThanOrEqual(120_000);
    t.advance(120_001);
    expect((await runWorker(ctx, once)).failed).toBe(20);
    rows = await deliveries(ctx);
    expect(rows.every((d) => d.status === "FAILED" && col.int(d.attemptCount) === 3 && d.nextAttemptAt === null)).toBe(
      true,
    );
    expect(receiver.received).toHaveLength(60);
    expect(await ctx.sql.all(`SELECT "id" FROM "WebhookDeliveryAttempt" WHERE "succeeded" = ?`, [true])).toHaveLength(
      0,
    );
    const ep = await ctx.sql.get<{ enabled: unknown; failingSince: unknown }>(
      `SELECT "enabled","failingSince" FROM "WebhookEndpoint"`,
    );
    expect(col.bool(ep!.enabled)).toBe(true);
    expect(ep!.failingSince).not.toBeNull();
  });

  it("waits at least a minute after 429/503/timeouts and honours Retry-After within [scheduled, 2x scheduled]", async () => {
    const answers: Record<string, Answer> = {
      a: { status: 429, headers: { "retry-after": "100" } },
      b: { status: 429, headers: { "retry-after": "1" } },
      c: { status: 503 },
      d: { status: 429, headers: { "retry-after": "3600" } },
    };
    for (const [name, answer] of Object.entries(answers))
      await endpointTo(() => answer, { retryScheduleMs: [0, 5_000, 5_000], eventFilter: [`t.${name}`] });
    await endpointTo(() => ({ status: 200, delayMs: 2_000 }), {
      timeoutMs: 200,
      retryScheduleMs: [0, 5_000, 5_000],
      eventFilter: ["t.e"],
    });
    await sendBatch(ctx, {
      events: ["a", "b", "c", "d", "e"].map((n, i) => ({
        line: i + 1,
        type: `t.${n}`,
        data: null,
        idempotencyKey: null,
      })),
      allowUnknownType: true,
    });
    await runWorker(ctx, once);
    const rows = await ctx.sql.all<DeliveryRow & { type: string; lastError: string | null }>(
      `SELECT d."id", d."status", d."attemptCount", d."nextAttemptAt", d."lastStatusCode", d."lastError", ev."type" FROM "WebhookDelivery" d JOIN "WebhookEvent" ev ON ev."id" = d."eventId" ORDER BY ev."type"`,
    );
    const wait = Object.fromEntries(rows.map((r) => [r.type, nextIn(r, ctx.now())]));
    expect(wait["t.a"]).toBe(100_000); // asked 100 s: inside [60 s, 120 s]
    expect(wait["t.b"]).toBe(60_000); // asked 1 s: not before the overload minimum
    expect(wait["t.c"]).toBe(60_000);
    expect(wait["t.d"]).toBe(120_000); // asked an hour: at most twice the scheduled wait
    expect(wait["t.e"]).toBe(60_000);
    expect(rows.find((r) => r.type === "t.e")!.lastError).toMatch(/timed out after 200 ms/);
  });

  it("disables an endpoint that answers 410, cancels its queue, and audits it as the system", async () => {
    const { ep } = await endpointTo(() => ({ status: 410 }), { eventFilter: ["gone.*"] });
    await sendBatch(ctx, {
      events: [{ line: 1, type: "gone.a", data: 1, idempotencyKey: null }],
      allowUnknownType: true,
    });
    const summary = await runWorker(ctx, once);
    expect(summary.disabledEndpoints).toEqual([{ endpointId: ep.id, reason: "the receiver answered 410 Gone" }]);
    expect((await deliveries(ctx))[0]!.status).toBe("FAILED");
    const row = await ctx.sql.get<{ enabled: unknown; disabledReason: string }>(
      `SELECT "enabled","disabledReason" FROM "WebhookEndpoint"`,
    );
    expect(col.bool(row!.enabled)).toBe(false);
    expect(
      await ctx.sql.all(
        `SELECT "action","actor" FROM "AuditEvent" WHERE "targetId" = ? AND "action" = 'endpoint.disable'`,
        [ep.id],
      ),
    ).toEqual([{ action: "endpoint.disable", actor: "system" }]);
  });

  it("disables an endpoint without a success for the configured window", async () => {
    const { ep } = await endpointTo(() => ({ status: 500 }), { retryScheduleMs: [0, 1_000, 1_000, 1_000] });
    await send(2);
    await runWorker(ctx, once);
    t.advance(6 * DAY);
    const summary = await runWorker(ctx, once);
    expect(summary.disabledEndpoints.map((d) => d.endpointId)).toEqual([ep.id]);
    expect(summary.disabledEndpoints[0]!.reason).toBe("no successful delivery for 6d (limit 5d)");
    expect((await deliveries(ctx)).map((d) => d.status)).toEqual(["CANCELLED", "CANCELLED"]);
    expect(await ctx.sql.all(`SELECT "actor" FROM "AuditEvent" WHERE "action" = 'endpoint.disable'`)).toEqual([
      { actor: "system" },
    ]);
  });

  it("states the real time without a success in the disable reason, even for a window under an hour", async () => {
    await endpointTo(() => ({ status: 500 }), { retryScheduleMs: [0, 1_000, 1_000, 1_000] });
    await send(1);
    await runWorker(ctx, { ...once, disableAfterMs: 10 * 60_000 });
    t.advance(12 * 60_000 + 30_500);
    const summary = await runWorker(ctx, { ...once, disableAfterMs: 10 * 60_000 });
    expect(summary.disabledEndpoints.map((d) => d.reason)).toEqual(["no successful delivery for 12m30s (limit 10m)"]);
  });

  it("refuses a loopback address at connect time unless the endpoint or the environment allows it", async () => {
    const { receiver, ep } = await endpointTo(undefined);
    await ctx.sql.run(`UPDATE "WebhookEndpoint" SET "allowPrivateNetwork" = ? WHERE "id" = ?`, [false, ep.id]);
    // Sealed as intg writes it: the guard at connect time is what is tested here, not the row's MAC.
    await sealConfig(ctx, "WebhookEndpoint", ep.id);
    await send(1);
    await runWorker(ctx, once);
    expect(receiver.received).toHaveLength(0);
    const [d] = await ctx.sql.all<{ lastError: string }>(`SELECT "lastError" FROM "WebhookDelivery"`);
    expect(d!.lastError).toMatch(/loopback/);
    t.advance(10_000);
    await runWorker({ ...ctx, env: { ...ctx.env, INTG_ALLOW_PRIVATE_NETWORKS: "1" } }, once);
    expect(receiver.received).toHaveLength(1);
  });

  it("enforces the endpoint's rate limit", async () => {
    const { receiver } = await endpointTo(undefined, { rateLimitPerSecond: 10 });
    await send(25);
    const arrivals: number[] = [];
    const started = performance.now();
    await runWorker(ctx, { ...once, onAttempt: () => arrivals.push(performance.now() - started) });
    expect(receiver.received).toHaveLength(25);
    // A burst of 10, then 15 more at 10/s: the last cannot go before ~1.5 s.
    expect(Math.max(...arrivals)).toBeGreaterThanOrEqual(1_300);
  });

  it("paces the deliveries it holds once their endpoint is given a rate limit", async () => {
    // Eight in flight at a second each: 8/s, and the worker holds 32 times its cap ahead (half a
    // minute's worth). A limit of 1/s set while it runs reaches it with the endpoint's next load
    // (within 5 s); what it holds then is handed back for the limited claim to pace, not sent at 8/s.
    const { ep, receiver } = await endpointTo(() => ({ status: 200, delayMs: 1_000 }), { maxInFlight: 8 });
    await send(300);
    const live = { ...ctx, now: () => new Date() };
    const started = performance.now();
    const arrivals: number[] = [];
    const running = runWorker(live, {
      ...once,
      once: false,
      maxTimeMs: 8_000,
      concurrency: 8,
      onAttempt: () => arrivals.push(performance.now() - started),
    });
    await new Promise((r) => setTimeout(r, 500));
    await updateEndpoint(live, ep.id, { rateLimitPerSecond: 1 });
    await running;
    expect(arrivals.filter((t) => t < 2_000).length).toBeGreaterThanOrEqual(8); // unlimited at first
    // From 6.5 s, past the latest reload and the attempts then in flight: the limit, and one more.
    expect(arrivals.filter((t) => t >= 6_500).length).toBeLessThanOrEqual(3);
    expect(receiver.received.length).toBe(arrivals.length);
  }, 15_000);

  it("never hands the same delivery to two racing claims", async () => {
    await endpointTo(undefined);
    await endpointTo(undefined);
    await send(150);
    const other = await openSql(parseDbUrl(t.temp.url, "--db", process.cwd()));
    try {
      const seen: string[] = [];
      const drain = async (sql: typeof ctx.sql, owner: string) => {
        for (
          let rows = await claimDue(sql, owner, ctx.now(), 60_000, 7);
          rows.length;
          rows = await claimDue(sql, owner, ctx.now(), 60_000, 7)
        )
          seen.push(...rows.map((r) => r.id));
      };
      await Promise.all([drain(ctx.sql, "a"), drain(other, "b"), drain(ctx.sql, "c"), drain(other, "d")]);
      expect(seen).toHaveLength(300);
      expect(new Set(seen).size).toBe(300);
    } finally {
      await other.close();
    }
  });

  it("records a repeated response header as one value, names lower-cased, and reads Retry-After from it", async () => {
    const server = createServer((_req, res) => {
      res.setHeader("X-Trace", ["a", "b"]);
      res.setHeader("Retry-After", "90");
      res.writeHead(503, { "Content-Type": "text/plain" });
      res.end("busy");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    receivers.push({ close: () => new Promise<void>((r) => server.close(() => r())) } as Receiver);
    server.on("connection", (s) => s.unref());
    await createEndpoint(ctx, { ...base, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` });
    await send(1);
    const before = ctx.now();
    expect((await runWorker(ctx, once)).retrying).toBe(1);
    const a = await ctx.sql.get<{ responseHeaders: unknown; responseBody: string }>(
      `SELECT "responseHeaders", "responseBody" FROM "WebhookDeliveryAttempt"`,
    );
    expect(col.json<Record<string, string>>(a!.responseHeaders)).toMatchObject({
      "x-trace": "a, b",
      "retry-after": "90",
      "content-type": "text/plain",
    });
    expect(a!.responseBody).toBe("busy");
    // 503 waits at least a minute; Retry-After 90 s is within [scheduled, 2x scheduled], so it wins.
    expect(nextIn((await deliveries(ctx))[0]!, before)).toBeGreaterThanOrEqual(89_000);
  });

  /** One delivery claimed by "w1", and a first attempt at it, finished as `parts` say. */
  const claimOne = async () => {
    await endpointTo(undefined);
    await send(1);
    const now = ctx.now();
    const [claimed] = await claimDue(ctx.sql, "w1", now, 60_000, 1);
    const finished = (parts: Pick<Finished, "result" | "outcome"> & Partial<Finished>): Finished => ({
      deliveryId: claimed!.id,
      eventId: claimed!.eventId,
      endpointId: claimed!.endpointId,
      attemptNumber: 1,
      trigger: "scheduled",
      startedAt: now,
      requestHeaders: { "webhook-id": claimed!.eventId },
      requestBody: null,
      ...parts,
    });
    return { now, finished };
  };

  it("keeps the first attempt's outcome when one batch holds the same delivery twice, and records both attempts", async () => {
    const { now, finished } = await claimOne();
    const attempt = (statusCode: number, outcome: Finished["outcome"]): Finished =>
      finished({
        result: {
          statusCode,
          headers: { "content-type": "text/plain" },
          body: "x",
          error: null,
          timedOut: false,
          durationMs: 1,
        },
        outcome,
      });
    const batch = encodeAttempts([
      attempt(200, { kind: "delivered" }),
      attempt(500, { kind: "retry", at: new Date(now.getTime() + 5_000) }),
    ]);
    expect(
      await recordBatch(
        { sql: ctx.sql, now: () => now, actor: "system", db: ctx.db, env: ctx.env },
        "w1",
        batch,
        5 * DAY,
      ),
    ).toEqual([]);
    expect(await deliveries(ctx)).toMatchObject([{ status: "DELIVERED", lastStatusCode: 200 }]);
    const codes = await ctx.sql.all<{ statusCode: unknown }>(
      `SELECT "statusCode" FROM "WebhookDeliveryAttempt" ORDER BY "statusCode"`,
    );
    expect(codes.map((c) => col.int(c.statusCode))).toEqual([200, 500]);
    // Another owner's records change nothing: the lease is this worker's no longer.
    await recordBatch(
      { sql: ctx.sql, now: () => now, actor: "system", db: ctx.db, env: ctx.env },
      "w2",
      encodeAttempts([attempt(500, { kind: "failed" })]),
      5 * DAY,
    );
    expect(await deliveries(ctx)).toMatchObject([{ status: "DELIVERED" }]);
  });

  it("records an attempt whose sent bytes and error hold a lone surrogate, with U+FFFD in its place", async () => {
    const { now, finished } = await claimOne();
    // A transformation's output and a thrown message are any JS string; PostgreSQL refuses the
    // escape JSON writes for a lone surrogate, and one such attempt must not fail its whole batch.
    const attempt = finished({
      requestBody: '{"a":"\ud800"}',
      result: { statusCode: null, headers: null, body: null, error: "bad \udc00", timedOut: false, durationMs: 1 },
      outcome: { kind: "failed" },
    });
    const recordCtx = { sql: ctx.sql, now: () => now, actor: "system", db: ctx.db, env: ctx.env };
    await recordBatch(recordCtx, "w1", encodeAttempts([attempt]), 5 * DAY);
    const rows = await ctx.sql.all<{ requestBody: string; error: string }>(
      `SELECT "requestBody", "error" FROM "WebhookDeliveryAttempt"`,
    );
    // PostgreSQL stores what the driver stored for a bound string; SQLite keeps the surrogate's
    // bytes, read back as replacement characters too.
    if (provider === "postgresql") expect(rows).toEqual([{ requestBody: '{"a":"\ufffd"}', error: "bad \ufffd" }]);
    else
      expect(rows).toEqual([
        { requestBody: expect.stringMatching(/^\{"a":"\ufffd+"\}$/), error: expect.stringMatching(/^bad \ufffd+$/) },
      ]);
    expect(await deliveries(ctx)).toMatchObject([{ status: "FAILED" }]);
  });

  it("keeps the first 20 KB of a response body, with or without a content-length", async () => {
    let n = 0;
    const big = "é".repeat(5_000) + "x".repeat(45_000);
    const answers: Answer[] = [
      { status: 200, body: big, headers: { "content-length": String(Buffer.byteLength(big)) } },
      { status: 200, body: big, headers: { "transfer-encoding": "chunked" } },
      { status: 200, body: "é".repeat(200), headers: { "content-length": "400" } },
    ];
    await endpointTo(() => answers[n++ % 3]!);
    await send(6);
    expect((await runWorker(ctx, once)).delivered).toBe(6);
    const rows = await ctx.sql.all<{ responseBody: string; responseHeaders: unknown }>(
      `SELECT "responseBody", "responseHeaders" FROM "WebhookDeliveryAttempt"`,
    );
    const framing = rows
      .map(
        (r) =>
          `${"content-length" in col.json<Record<string, string>>(r.responseHeaders) ? "length" : "chunked"}:${Buffer.byteLength(r.responseBody)}`,
      )
      .sort();
    // 20 KB of big's bytes: 10,000 of "é" then 10,480 of "x".
    expect(framing).toEqual([
      "chunked:20480",
      "chunked:20480",
      "length:20480",
      "length:20480",
      "length:400",
      "length:400",
    ]);
    for (const r of rows) expect(r.responseBody.startsWith("é".repeat(100))).toBe(true);
  });

  it("cuts off a receiver that answers at once but trickles its body past the endpoint's timeout", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const drip = setInterval(() => res.write("."), 100);
      res.on("close", () => clearInterval(drip));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    receivers.push({ close: () => new Promise<void>((r) => server.close(() => r())) } as Receiver);
    server.on("connection", (s) => s.unref());
    await createEndpoint(ctx, {
      ...base,
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      timeoutMs: 600,
    });
    await send(1);
    const started = performance.now();
    expect((await runWorker(ctx, once)).retrying).toBe(1);
    expect(performance.now() - started).toBeLessThan(2_000);
    const attempt = await ctx.sql.get<{ error: string; durationMs: unknown }>(
      `SELECT "error", "durationMs" FROM "WebhookDeliveryAttempt"`,
    );
    expect(attempt!.error).toBe("timed out after 600 ms");
    expect(col.int(attempt!.durationMs)).toBeGreaterThanOrEqual(590);
    expect(col.int(attempt!.durationMs)).toBeLessThan(1_000);
    server.closeAllConnections();
  });

  it("sends (and signs) what the endpoint's transformation makes of the event; a failing one is a failed attempt", async () => {
    const { receiver, ep: receiverEp } = await endpointTo(undefined, {
      transformation: { kind: "jsonata", expression: '{"event": type, "amount": data.n * 100}' },
    });
    const { receiver: slack } = await endpointTo(undefined, { channel: "SLACK" });
    const { ep: broken } = await endpointTo(undefined, {
      transformation: { kind: "jsonata", expression: 'data.n = 1 ? $error("refused") : data' },
    });
    await send(2);
    const summary = await runWorker(ctx, once);
    expect(summary).toMatchObject({ attempts: 6, delivered: 5, retrying: 1 });
    expect(receiver.received.map((r) => JSON.parse(r.body)).sort((a, b) => a.amount - b.amount)).toEqual([
      { event: "invoice.paid", amount: 0 },
      { event: "invoice.paid", amount: 100 },
    ]);
    expect(receiver.received.every((r) => r.valid)).toBe(true); // the signature covers the bytes sent
    expect(slack.received.map((r) => Object.keys(JSON.parse(r.body)))).toEqual([["text"], ["text"]]);
    expect(JSON.parse(slack.received[0]!.body).text).toMatch(/^\*invoice\.paid\* at /);
    const failed = await ctx.sql.get<{ error: string; statusCode: unknown }>(
      `SELECT "error", "statusCode" FROM "WebhookDeliveryAttempt" WHERE "endpointId" = ? AND "succeeded" = ?`,
      [broken.id, false],
    );
    expect(failed).toMatchObject({ error: "the JSONata transformation failed: refused", statusCode: null });
    // Each attempt keeps the bytes it sent when they are not the payload; the failed one sent none.
    const kept = async (id: string) =>
      await ctx.sql.all<{ requestBody: string | null; requestHeaders: unknown }>(
        `SELECT "requestBody", "requestHeaders" FROM "WebhookDeliveryAttempt" WHERE "endpointId" = ?`,
        [id],
      );
    expect((await kept(receiverEp.id)).map((a) => a.requestBody).sort()).toEqual(
      receiver.received.map((r) => r.body).sort(),
    );
    expect((await kept(broken.id)).filter((a) => a.requestHeaders === null).map((a) => a.requestBody)).toEqual([null]);
  });

  it("renews its leases while an attempt outlasts them, so a second worker never sends it again", async () => {
    const { receiver } = await endpointTo(() => ({ status: 200, delayMs: 2_500 }));
    await send(1);
    const live = { ...ctx, now: () => new Date() }; // leases must run out on the real clock here
    const slow = runWorker(live, { ...once, concurrency: 1, leaseMs: 1_000, workerId: "slow" });
    await new Promise((r) => setTimeout(r, 300));
    const other = await runWorker(live, {
      ...once,
      once: false,
      maxTimeMs: 3_200,
      leaseMs: 1_000,
      pollMs: 50,
      workerId: "other",
    });
    expect((await slow).delivered).toBe(1);
    expect(other.attempts).toBe(0);
    expect([...receiver.counts.values()]).toEqual([1]);
  });

  it("renews only the leases it still holds: a delivery another worker took while it stalled is not sent", async () => {
    // One lane, 600 ms an answer: the first two deliveries are sent under the claim's lease, the
    // third (at ~1.2 s) only if a heartbeat (every 500 ms) renewed it. At the first heartbeat every
    // delivery not sent yet is taken by another worker, as after a stall longer than the lease.
    const { receiver } = await endpointTo(() => ({ status: 200, delayMs: 600 }), { maxInFlight: 1 });
    await send(6);
    const live = { ...ctx, now: () => new Date() }; // leases must run out on the real clock here
    const inner = sqlStore(live.sql, { target: live.db.target, env: live.env });
    let stolen = 0;
    const store: DeliveryStore = {
      ...inner,
      renew: async (owner, now, leaseMs, tracked) => {
        if (stolen === 0) {
          // Every one it holds that has not reached the receiver (the one in flight has).
          const held = await live.sql.all<{ id: string; eventId: string }>(
            `SELECT "id", "eventId" FROM "WebhookDelivery" WHERE "leaseOwner" = ?`,
            [owner],
          );
          const sent = new Set(receiver.received.map((r) => r.id));
          const ids = held.filter((h) => !sent.has(h.eventId)).map((h) => h.id);
          const far = new Date(Date.now() + 3_600_000);
          for (const id of ids)
            stolen += await live.sql.run(
              `UPDATE "WebhookDelivery" SET "leaseOwner" = ?, "leaseExpiresAt" = ? WHERE "id" = ?`,
              ["thief", far, id],
            );
        }
        return inner.renew(owner, now, leaseMs, tracked);
      },
    };
    const summary = await runWorker(live, { ...once, concurrency: 1, leaseMs: 1_500, workerId: "stalled", store });
    expect(stolen).toBe(5);
    // The first, and the second (sent at ~0.6 s, inside the claim's lease); never the rest.
    expect(summary.attempts).toBeLessThanOrEqual(2);
    expect(receiver.received.length).toBe(summary.attempts);
    const thief = await live.sql.all(`SELECT "id" FROM "WebhookDelivery" WHERE "leaseOwner" = ?`, ["thief"]);
    expect(thief.length).toBeGreaterThanOrEqual(4); // the ones it never recorded either
  });

  it("lets the leases of a claim that committed and then failed run out, and claims them again", async () => {
    // The claim is several statements; the first committed, then the connection was cut on the way
    // back. The worker, which waits such errors out, renewed every row it owned: those five stayed
    // SENDING, leased to it, for as long as it ran, and were never sent.
    const { receiver } = await endpointTo(undefined);
    await send(5);
    const live = { ...ctx, now: () => new Date() }; // leases must run out on the real clock here
    const inner = sqlStore(live.sql, { target: live.db.target, env: live.env });
    let cut = false;
    const store: DeliveryStore = {
      ...inner,
      claim: async (...args) => {
        const claimed = await inner.claim(...args);
        if (cut || claimed.items.length === 0) return claimed;
        cut = true;
        throw Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
      },
    };
    const stop = new AbortController();
    const retries: unknown[] = [];
    const running = runWorker(live, {
      ...once,
      once: false,
      maxTimeMs: 8_000,
      leaseMs: 1_500,
      pollMs: 50,
      store,
      signal: stop.signal,
      onRetry: (e) => retries.push(e),
      onAttempt: () => receiver.received.length >= 5 && stop.abort(),
    });
    const summary = await running;
    expect(cut).toBe(true);
    expect(retries).toHaveLength(1);
    expect(summary.delivered).toBe(5);
    expect([...receiver.counts.values()]).toEqual([1, 1, 1, 1, 1]);
  }, 15_000);

  it("records the other attempts of a batch, and goes on, when an endpoint is deleted mid-attempt", async () => {
    // The deleted endpoint's deliveries went with it; their attempts' foreign key failed the whole
    // batch, and the worker with it (exit 1), leaving the other endpoint's attempts unrecorded.
    let deleting: Promise<unknown> | undefined;
    const gone = await endpointTo(() => {
      deleting ??= deleteEndpoint(ctx, gone.ep.id);
      return { status: 200, delayMs: 300 };
    });
    const kept = await endpointTo(() => ({ status: 200, delayMs: 300 }));
    await send(3);
    const summary = await runWorker(ctx, once);
    await deleting;
    expect(kept.receiver.received).toHaveLength(3);
    expect(gone.receiver.received.length).toBeGreaterThan(0);
    const rows = await deliveries(ctx);
    expect(rows.map((r) => r.status)).toEqual(["DELIVERED", "DELIVERED", "DELIVERED"]);
    const attempts = await ctx.sql.all<{ endpointId: string }>(`SELECT "endpointId" FROM "WebhookDeliveryAttempt"`);
    expect(attempts.map((a) => a.endpointId)).toEqual([kept.ep.id, kept.ep.id, kept.ep.id]);
    // Every request made is counted, the deleted endpoint's too: they were sent.
    expect(summary.attempts).toBe(kept.receiver.received.length + gone.receiver.received.length);
  });

  // A worker holds up to 32 times an endpoint's cap: disabled meanwhile, it sent them all, and what
  // it handed back at its stop stayed PENDING for good (no claim takes a disabled endpoint's).
  const disabledMidRun = async (maxTimeMs: number) => {
    const { ep, receiver } = await endpointTo(() => ({ status: 200, delayMs: 250 }), { maxInFlight: 1 });
    await send(40);
    const live = { ...ctx, now: () => new Date() };
    const running = runWorker(live, { ...once, once: false, maxTimeMs, concurrency: 2 }); // claims 32 at once
    await new Promise((r) => setTimeout(r, 500));
    await setEndpointEnabled(live, ep.id, false, "test");
    await running;
    const statuses = (await deliveries(ctx)).map((r) => r.status);
    expect(statuses.filter((s) => s === "DELIVERED")).toHaveLength(receiver.received.length);
    expect(statuses.filter((s) => s === "CANCELLED")).toHaveLength(40 - receiver.received.length);
    return receiver.received.length;
  };

  it("cancels what it holds of an endpoint disabled meanwhile when it stops, rather than leave it PENDING", async () => {
    expect(await disabledMidRun(2_000)).toBeLessThanOrEqual(9);
  });

  it("sends none of what it holds of an endpoint disabled meanwhile once it reloads the endpoint", async () => {
    // Within its next load (5 s after the first), at 4 a second: not the 32 it held (8 s of them).
    expect(await disabledMidRun(10_000)).toBeLessThanOrEqual(24);
  }, 15_000);

  it("gives up on a database that stays locked after one lease in all, however many batches wait", async () => {
    // Each batch waited a lease of its own: a stop during an outage took a lease per batch queued,
    // and --once retried its claim for ever.
    const busy = () => Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
    const inner = sqlStore(ctx.sql, { target: ctx.db.target, env: ctx.env });
    await endpointTo(() => ({ status: 200, delayMs: 20 }));
    await send(40);
    const locked: DeliveryStore = {
      ...inner,
      record: async () => Promise.reject(busy()),
      renew: async () => Promise.reject(busy()),
    };
    const options = { ...once, once: false, maxTimeMs: 1_000, leaseMs: 1_500, concurrency: 2, store: locked };
    let started = performance.now();
    await expect(runWorker(ctx, options)).rejects.toThrow("database is locked");
    expect(performance.now() - started).toBeLessThan(4_000); // a second's run and a lease: not a lease a batch

    const refused: DeliveryStore = { ...inner, claim: async () => Promise.reject(busy()) };
    started = performance.now();
    await expect(runWorker(ctx, { ...once, leaseMs: 1_500, store: refused })).rejects.toThrow("database is locked");
    expect(performance.now() - started).toBeLessThan(4_000);
  }, 20_000);

  it("sends at once what it claims after an endpoint's rate limit is removed, not after its next load", async () => {
    // The endpoint's load still said "limited": each delivery the claim without limits took was
    // handed back, and claimed again, until the load was 5 s old.
    const { ep, receiver } = await endpointTo(undefined, { rateLimitPerSecond: 2 });
    await send(30);
    const live = { ...ctx, now: () => new Date() };
    let claimed = 0;
    const running = runWorker(live, {
      ...once,
      once: false,
      maxTimeMs: 3_500,
      onClaim: (taken) => void (claimed += taken),
    });
    await new Promise((r) => setTimeout(r, 1_000));
    await updateEndpoint(live, ep.id, { rateLimitPerSecond: null });
    await running;
    expect(receiver.received).toHaveLength(30);
    expect(claimed).toBeLessThanOrEqual(40); // each once, and a few slots handed back late
  }, 10_000);

  // The built CLI's worker keeps its claims and records on a thread with its own connection.
  const STORE_FILE = join(PACKAGE_ROOT, "dist", "webhook-store.cjs");

  it("delivers and records through the store thread as through the process's own connection", async () => {
    let n = 0;
    const { receiver } = await endpointTo(() => (++n % 3 === 0 ? { status: 500 } : { status: 200 }));
    await send(60);
    const summary = await runWorker(ctx, { ...once, store: await threadStore(ctx.db.target, STORE_FILE, ctx.env) });
    expect(summary.attempts).toBe(60);
    expect(summary.delivered + summary.retrying).toBe(60);
    expect(summary.retrying).toBeGreaterThan(0);
    expect(receiver.received).toHaveLength(60);
    const rows = await deliveries(ctx);
    expect(rows.filter((d) => d.status === "DELIVERED")).toHaveLength(summary.delivered);
    expect(rows.filter((d) => d.status === "PENDING" && col.int(d.attemptCount) === 1)).toHaveLength(summary.retrying);
    const attempts = await ctx.sql.get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "WebhookDeliveryAttempt"`);
    expect(col.int(attempts!.n)).toBe(60);
  });

  it("reports a store thread that cannot open its database instead of hanging", async () => {
    const target =
      provider === "sqlite"
        ? { ...ctx.db.target, file: join(PACKAGE_ROOT, "no-such-dir", "x.db") }
        : { ...ctx.db.target, url: ctx.db.target.url.replace(/\/[^/?]+(\?|$)/, "/intg_no_such_database$1") };
    await expect(threadStore(target, STORE_FILE, {})).rejects.toThrow(
      provider === "sqlite" ? /directory does not exist|unable to open/ : /intg_no_such_database/,
    );
  });
});
