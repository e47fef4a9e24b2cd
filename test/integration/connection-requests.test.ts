import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { checkConnections } from "../../src/services/connections/check.js";
import { ConnectionClient } from "../../src/services/connections/client.js";
import { requestThrough } from "../../src/services/connections/request.js";
import { findConnectionRows } from "../../src/services/connections/rows.js";
import { createConnection, setConnectionEnabled, updateConnection } from "../../src/services/connections/write.js";
import { ConflictError } from "../../src/errors.js";
import type { ServiceContext } from "../../src/services/context.js";
import { listExternalRequests } from "../../src/services/external-requests/list.js";
import { createProvider, updateProvider } from "../../src/services/providers/write.js";
import { PROVIDERS } from "../helpers/databases.js";
import { fakeProviders, type FakeProvider, type FakeRequest } from "../helpers/fake-provider.js";
import { testServices, type TestServices } from "../helpers/services.js";

const KEY = "key-9c1d7e3f5a2b4c6d";

describe.each(PROVIDERS)("requests through connections on %s", (db) => {
  let t: TestServices;
  let ctx: ServiceContext;
  const fakes = fakeProviders();
  let n = 0;
  beforeAll(async () => {
    t = await testServices(db);
    ctx = { ...t.ctx, env: { INTG_MASTER_KEY: generateMasterKey().bytes.toString("base64") } };
  });
  afterAll(async () => {
    await fakes.closeAll();
    await t?.dispose();
  });
  /** A fake provider, a provider record pointing at it, and a connection to it. */
  async function connect(
    options: Parameters<typeof fakes.start>[0],
    auth: unknown,
    credential: string | null,
    rateLimitPerMinute: number | null = null,
  ) {
    const fake = await fakes.start(options);
    const slug = `p${++n}`;
    const resolved = typeof auth === "function" ? auth(fake) : auth;
    await createProvider(ctx, {
      slug,
      name: slug,
      category: "OTHER",
      baseUrl: `${fake.url}/api`,
      auth: resolved,
      healthCheck: { path: "/health" },
      allowPrivateNetwork: true,
    });
    const { connection } = await createConnection(ctx, {
      provider: slug,
      environment: "SANDBOX",
      name: "c",
      config: null,
      rateLimitPerMinute,
      credential,
    });
    return { fake, id: connection.id };
  }

  it("sends with the credential, logs the request without it, and parses JSON answers", async () => {
    const { fake, id } = await connect(
      { accept: (r) => r.url.includes(`api_key=${KEY}`) },
      { type: "api_key", placement: "query", name: "api_key" },
      KEY,
    );
    const res = await requestThrough(ctx, id, {
      method: "post",
      path: "/things?limit=2",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
      timeoutMs: 2000,
    });
    expect(res).toMatchObject({ status: 200, method: "POST", body: { ok: true, method: "POST", echo: '{"a":1}' } });
    expect(res.url).toBe(`${fake.url}/api/things?limit=2&api_key=REDACTED`);
    const [logged] = await listExternalRequests(ctx, { connectionId: id, limit: 100 });
    expect(logged).toMatchObject({
      id: res.requestId,
      method: "POST",
      statusCode: 200,
      url: res.url,
      requestBytes: 7,
      errorKind: null,
    });
    expect(JSON.stringify(await ctx.sql.all(`SELECT * FROM "ExternalApiRequest"`))).not.toContain(KEY);
    await setConnectionEnabled(ctx, id, false, null);
    await expect(requestThrough(ctx, id, { method: "GET", path: "/", headers: {}, timeoutMs: 2000 })).rejects.toThrow(
      ConflictError,
    );
    expect(fake.requests).toHaveLength(1);
  });

  it("redacts the provider's own query parameter for its API key, even off the name list, in the log, the answer and errors", async () => {
    const appKey = "f00dfeed0123456789abcdef";
    const { fake, id } = await connect(
      { accept: (r) => r.url.includes(`appid=${appKey}`) },
      { type: "api_key", placement: "query", name: "appid" },
      appKey,
    );
    const res = await requestThrough(ctx, id, { method: "GET", path: "/weather?q=oslo", headers: {}, timeoutMs: 2000 });
    expect(res.status).toBe(200); // the provider got the real key
    expect(fake.requests[0]!.url).toContain(`appid=${appKey}`);
    expect(res.url).toBe(`${fake.url}/api/weather?q=oslo&appid=REDACTED`);
    expect((await listExternalRequests(ctx, { connectionId: id, limit: 10 }))[0]!.url).toBe(res.url);
    await fake.close(); // now the request fails: the error message names the URL, without the key
    const failed = await requestThrough(ctx, id, {
      method: "GET",
      path: "/weather",
      headers: {},
      timeoutMs: 2000,
    }).catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toContain("appid=REDACTED");
    expect(
      JSON.stringify(await ctx.sql.all(`SELECT * FROM "ExternalApiRequest"`)) + (failed as Error).message,
    ).not.toContain(appKey);
  });

  it("signs with HMAC and authenticates with basic credentials, as the provider's auth type says", async () => {
    const hmacSecret = "hmac-secret-5d6e7f";
    const signedOk = (r: FakeRequest) => {
      const ts = String(r.headers["x-signature-timestamp"]);
      return (
        r.headers["x-sig"] ===
        createHmac("sha512", hmacSecret).update(`${ts}\n${r.method}\n${r.url}\n${r.body}`).digest("base64")
      );
    };
    const hmac = await connect(
      { accept: signedOk },
      { type: "hmac", headerName: "X-Sig", algorithm: "sha512", encoding: "base64" },
      hmacSecret,
    );
    expect(
      (
        await requestThrough(ctx, hmac.id, {
          method: "PUT",
          path: "/a?b=1",
          headers: {},
          body: "payload",
          timeoutMs: 2000,
        })
      ).status,
    ).toBe(200);
    const basic = await connect(
      { accept: (r) => r.headers.authorization === `Basic ${Buffer.from("ann:pa:ss").toString("base64")}` },
      "basic",
      "ann:pa:ss",
    );
    expect(
      (await requestThrough(ctx, basic.id, { method: "GET", path: "/me", headers: {}, timeoutMs: 2000 })).status,
    ).toBe(200);
    const wrong = await connect(
      { accept: () => false },
      "basic",
      JSON.stringify({ username: "ann", password: "nope" }),
    );
    expect(
      (await requestThrough(ctx, wrong.id, { method: "GET", path: "/me", headers: {}, timeoutMs: 2000 })).status,
    ).toBe(401);
    const stored = JSON.stringify(await ctx.sql.all(`SELECT * FROM "IntegrationSecret"`));
    for (const s of [hmacSecret, "pa:ss"]) expect(stored).not.toContain(s);
    // The provider changes its auth type: the old credential no longer fits, and nothing is sent.
    const before = (await ctx.sql.all(`SELECT "id" FROM "ExternalApiRequest"`)).length;
    await updateProvider(ctx, `p${n - 1}`, { auth: "bearer_token" });
    await expect(
      requestThrough(ctx, basic.id, { method: "GET", path: "/me", headers: {}, timeoutMs: 2000 }),
    ).rejects.toThrow(/now authenticates with bearer_token/);
    expect(await ctx.sql.all(`SELECT "id" FROM "ExternalApiRequest"`)).toHaveLength(before);
  });

  it("sends to the connection's own baseUrl when its config sets one", async () => {
    const { fake, id } = await connect({}, "bearer_token", KEY);
    const own = await fakes.start();
    await updateConnection(ctx, id, { config: { baseUrl: `${own.url}/v2` } });
    expect((await requestThrough(ctx, id, { method: "GET", path: "/ping", headers: {}, timeoutMs: 2000 })).url).toBe(
      `${own.url}/v2/ping`,
    );
    expect(own.requests.map((r) => r.url)).toEqual(["/v2/ping"]);
    expect(fake.requests).toEqual([]);
  });

  it("enforces the connection's rate limit across concurrent requests", async () => {
    // 600/min: a burst of 10, then one every 100 ms; 25 requests need at least 1.4 s.
    const { fake, id } = await connect({}, "bearer_token", KEY, 600);
    const client = new ConnectionClient(ctx);
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 25 }, () =>
        requestThrough(ctx, id, { method: "GET", path: "/x", headers: {}, timeoutMs: 5000 }, client),
      ),
    );
    await client.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const times = fake.requests.map((r) => r.at).sort((a, b) => a - b);
    // After the burst of 10, one every 100 ms (a little timer jitter allowed).
    for (let i = 15; i < times.length; i++) expect(times[i]! - times[i - 5]!).toBeGreaterThanOrEqual(450);
  });

  it("honours 429 Retry-After: waits, retries, and logs each attempt", async () => {
    const { fake, id } = await connect(
      { behaviour: "rate-limit", rateLimit: { max: 2, windowMs: 1000, retryAfterSeconds: 1 } },
      "bearer_token",
      KEY,
    );
    const client = new ConnectionClient(ctx);
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        requestThrough(ctx, id, { method: "GET", path: "/x", headers: {}, timeoutMs: 5000 }, client),
      ),
    );
    await client.close();
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.requests).toHaveLength(6);
    const logged = await listExternalRequests(ctx, { connectionId: id, limit: 100 });
    expect(logged.map((r) => r.errorKind).sort()).toEqual([null, null, null, null, "rate_limited", "rate_limited"]);
  });

  it("OAuth2 client credentials: fetches a token once, caches it encrypted, renews it when it expires", async () => {
    const secret = "cs-7e2d9b1f0a4c";
    const { fake, id } = await connect(
      { oauth: { clientId: "app", clientSecret: secret, expiresIn: 3600 } },
      (f: FakeProvider) => ({ type: "oauth2_client_credentials", tokenUrl: f.tokenUrl, scopes: ["read"] }),
      JSON.stringify({ clientId: "app", clientSecret: secret }),
    );
    const first = await checkConnections(ctx, { filter: { ids: [id] }, timeoutMs: 2000, concurrency: 4 });
    expect(first.checks[0]).toMatchObject({ status: "HEALTHY" });
    await requestThrough(ctx, id, { method: "GET", path: "/y", headers: {}, timeoutMs: 2000 });
    expect(fake.grants.map((g) => g.grantType)).toEqual(["client_credentials"]);
    t.advance(3600_000); // the pinned clock moves past the token's expiry
    await requestThrough(ctx, id, { method: "GET", path: "/y", headers: {}, timeoutMs: 2000 });
    expect(fake.grants).toHaveLength(2);
    const stored = JSON.stringify(await ctx.sql.all(`SELECT * FROM "IntegrationSecret"`));
    expect(stored).toContain(`connection/${id}/access-token`);
    for (const token of [...fake.issued, secret]) expect(stored).not.toContain(token);
  });

  it("OAuth2: a refused client is a credential problem (exit 4 territory), not an outage", async () => {
    const { id } = await connect(
      { oauth: { clientId: "app", clientSecret: "right" } },
      (f: FakeProvider) => ({ type: "oauth2_client_credentials", tokenUrl: f.tokenUrl }),
      JSON.stringify({ clientId: "app", clientSecret: "wrong" }),
    );
    const run = await checkConnections(ctx, { filter: { ids: [id] }, timeoutMs: 2000, concurrency: 4 });
    expect(run.checks[0]).toMatchObject({ status: "CREDENTIALS_INVALID", errorKind: "auth" });
    expect(run.checks[0]!.errorMessage).toMatch(/invalid_client/);
    expect(run.checks[0]!.errorMessage).not.toContain("wrong");
  });

  it("OAuth2 refresh token: concurrent callers refresh once, and a rotated refresh token is kept", async () => {
    const { fake, id } = await connect(
      { oauth: { clientId: "app", refreshToken: "rt-initial-1", rotateRefreshToken: true, delayMs: 200 } },
      (f: FakeProvider) => ({ type: "oauth2_refresh_token", tokenUrl: f.tokenUrl }),
      JSON.stringify({ clientId: "app", refreshToken: "rt-initial-1" }),
    );
    // A long-lived client that decrypted the credential before any refresh: its refresh token will be spent by then.
    const longLived = new ConnectionClient(ctx);
    const stale = await longLived.prepare((await findConnectionRows(ctx.sql, { ids: [id] }))[0]!, 3000);
    const answers = await Promise.all(
      [0, 1, 2].map(() =>
        requestThrough(ctx, id, { method: "GET", path: "/z", headers: {}, timeoutMs: 3000 }, new ConnectionClient(ctx)),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(fake.grants.map((g) => g.grantType)).toEqual(["refresh_token"]);
    t.advance(2 * 3600_000);
    expect((await requestThrough(ctx, id, { method: "GET", path: "/z", headers: {}, timeoutMs: 3000 })).status).toBe(
      200,
    );
    expect(fake.grants).toHaveLength(2); // used the rotated refresh token: the fake accepts only the current one
    t.advance(2 * 3600_000);
    expect((await longLived.send(stale, "GET", "/z", {})).statusCode).toBe(200); // renewed with the stored, rotated token
    await longLived.close();
    expect(fake.grants).toHaveLength(3);
  });
});
