import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { connectionAnalytics } from "../../src/services/connections/analytics.js";
import { percentiles } from "../../src/lib/percentiles.js";
import { checkConnections } from "../../src/services/connections/check.js";
import { listEvents } from "../../src/services/connections/events.js";
import { requestThrough } from "../../src/services/connections/request.js";
import {
  createConnection,
  setConnectionCredentials,
  setConnectionEnabled,
} from "../../src/services/connections/write.js";
import type { ServiceContext } from "../../src/services/context.js";
import { createProvider } from "../../src/services/providers/write.js";
import { PROVIDERS } from "../helpers/databases.js";
import { fakeProviders } from "../helpers/fake-provider.js";
import { testServices, type TestServices } from "../helpers/services.js";

describe("latency percentiles", () => {
  it("are nearest-rank, null when there is nothing", () => {
    expect(percentiles([])).toEqual({ p50: null, p95: null, p99: null });
    expect(percentiles(Array.from({ length: 100 }, (_, i) => 100 - i))).toEqual({ p50: 50, p95: 95, p99: 99 });
  });
});

describe.each(PROVIDERS)("connection events and analytics on %s", (db) => {
  let t: TestServices;
  let ctx: ServiceContext;
  const fakes = fakeProviders();
  beforeAll(async () => {
    t = await testServices(db);
    ctx = { ...t.ctx, env: { INTG_MASTER_KEY: generateMasterKey().bytes.toString("base64") } };
  });
  afterAll(async () => {
    await fakes.closeAll();
    await t?.dispose();
  });

  it("records status changes, credential changes, refresh failures, disable and enable", async () => {
    const fake = await fakes.start({ accept: (r) => r.headers.authorization === "Bearer good" });
    await createProvider(ctx, {
      slug: "ev",
      name: "Ev",
      category: "OTHER",
      baseUrl: fake.url,
      auth: "bearer_token",
      allowPrivateNetwork: true,
    });
    const { connection } = await createConnection(ctx, {
      provider: "ev",
      environment: "STAGING",
      name: "c",
      config: null,
      rateLimitPerMinute: null,
      credential: "good",
    });
    const check = () => checkConnections(ctx, { filter: { ids: [connection.id] }, timeoutMs: 2000, concurrency: 1 });
    await check();
    await check(); // no change: no event
    t.advance(1000);
    await setConnectionCredentials(ctx, connection.id, "bad");
    t.advance(1000);
    await check();
    t.advance(1000);
    await setConnectionEnabled(ctx, connection.id, false, "rotating keys");
    t.advance(1000);
    await setConnectionEnabled(ctx, connection.id, true, null);
    const events = await listEvents(ctx, connection.id);
    expect(events.map((e) => [e.kind, e.previousStatus, e.status])).toEqual([
      ["enabled", "DISABLED", "PENDING"],
      ["disabled", "CREDENTIALS_INVALID", "DISABLED"],
      ["status_changed", "PENDING", "CREDENTIALS_INVALID"],
      ["credentials_updated", "HEALTHY", "PENDING"],
      ["status_changed", "PENDING", "HEALTHY"],
    ]);
    expect(events[1]!.message).toBe("rotating keys");
    expect(await listEvents(ctx, connection.id, { since: new Date(t.ctx.now().getTime() - 1500) })).toHaveLength(2);
  });

  it("records a refused OAuth2 refresh even though its transaction rolled back", async () => {
    const fake = await fakes.start({ oauth: { clientId: "app", refreshToken: "rt-valid" } });
    await createProvider(ctx, {
      slug: "oa",
      name: "Oa",
      category: "OTHER",
      baseUrl: fake.url,
      auth: { type: "oauth2_refresh_token", tokenUrl: fake.tokenUrl },
      allowPrivateNetwork: true,
    });
    const { connection } = await createConnection(ctx, {
      provider: "oa",
      environment: "STAGING",
      name: "c",
      config: null,
      rateLimitPerMinute: null,
      credential: JSON.stringify({ clientId: "app", refreshToken: "rt-revoked" }),
    });
    const run = await checkConnections(ctx, { filter: { ids: [connection.id] }, timeoutMs: 2000, concurrency: 1 });
    expect(run.checks[0]!.errorKind).toBe("auth");
    const kinds = (await listEvents(ctx, connection.id)).map((e) => e.kind);
    expect(kinds).toContain("credentials_refresh_failed");
    expect(JSON.stringify(await listEvents(ctx, connection.id))).toMatch(/invalid_grant/);
  });

  it("computes requests, error rate, 429s, latency percentiles and uptime per connection", async () => {
    const fake = await fakes.start({
      behaviour: "rate-limit",
      rateLimit: { max: 3, windowMs: 60_000, retryAfterSeconds: 120 },
    });
    await createProvider(ctx, {
      slug: "an",
      name: "An",
      category: "OTHER",
      baseUrl: fake.url,
      auth: "none",
      allowPrivateNetwork: true,
    });
    const { connection } = await createConnection(ctx, {
      provider: "an",
      environment: "PRODUCTION",
      name: "c",
      config: null,
      rateLimitPerMinute: null,
      credential: null,
    });
    const since = t.ctx.now();
    for (let i = 0; i < 4; i++)
      await requestThrough(ctx, connection.id, { method: "GET", path: "/x", headers: {}, timeoutMs: 2000 }); // the 4th is a 429 (Retry-After too long to wait)
    await checkConnections(ctx, { filter: { ids: [connection.id] }, timeoutMs: 2000, concurrency: 1 });
    const [stats] = await connectionAnalytics(ctx, { connectionId: connection.id, since, until: t.ctx.now() });
    expect(stats).toMatchObject({
      connectionId: connection.id,
      providerSlug: "an",
      environment: "PRODUCTION",
      requests: 4,
      errors: 1,
      errorRate: 0.25,
      rateLimited: 1,
      healthChecks: 1,
      uptime: 0,
    });
    expect(stats!.latencyMs.p50).toBeGreaterThanOrEqual(0);
    const all = await connectionAnalytics(ctx, { since, until: t.ctx.now() });
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(all.find((s) => s.connectionId !== connection.id && s.requests === 0)?.errorRate).toBeNull();
  });
});
