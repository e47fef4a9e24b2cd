import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sealConfig } from "../../src/services/integrity/config.js";
import { ConflictError, NotFoundError, UsageError } from "../../src/errors.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { checkConnections } from "../../src/services/connections/check.js";
import { listHealthChecks } from "../../src/services/connections/health-history.js";
import { validateConnectionConfig } from "../../src/services/connections/validate.js";
import { importConnections } from "../../src/services/connections/import.js";
import { listConnections, showConnection } from "../../src/services/connections/rows.js";
import {
  createConnection,
  deleteConnection,
  setConnectionCredentials,
  setConnectionEnabled,
  updateConnection,
} from "../../src/services/connections/write.js";
import type { ServiceContext } from "../../src/services/context.js";
import { createProvider, updateProvider } from "../../src/services/providers/write.js";
import { PROVIDERS } from "../helpers/databases.js";
import { fakeProviders } from "../helpers/fake-provider.js";
import { testServices, type TestServices } from "../helpers/services.js";

const TOKEN = "tok-live-4f1c2e9a8b7d6c5e";
const provider = (slug: string, baseUrl: string, extra: Record<string, unknown> = {}) => ({
  slug,
  name: slug,
  category: "OTHER",
  baseUrl,
  auth: "bearer_token",
  healthCheck: { path: "/health" },
  allowPrivateNetwork: true,
  ...extra,
});
const base = { environment: "PRODUCTION" as const, config: null, rateLimitPerMinute: null };

/** Every text value in every table, so a test can prove a credential is stored nowhere in the clear. */
async function everyText(ctx: ServiceContext): Promise<string> {
  const tables = [
    "IntegrationSecret",
    "IntegrationConnection",
    "IntegrationProvider",
    "IntegrationHealthCheck",
    "AuditEvent",
    "ExternalApiRequest",
  ];
  const rows = await Promise.all(tables.map((t) => ctx.sql.all(`SELECT * FROM "${t}"`)));
  return JSON.stringify(rows);
}

describe.each(PROVIDERS)("connections on %s", (db) => {
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
  const fake = fakes.start;

  it("creates, updates, disables, enables and deletes, with the credential sealed and never in a view", async () => {
    await createProvider(ctx, provider("acme", "https://api.acme.example"));
    const { connection } = await createConnection(ctx, {
      ...base,
      provider: "acme",
      name: "main",
      config: { region: "eu" },
      credential: TOKEN,
    });
    expect(connection).toMatchObject({
      status: "PENDING",
      environment: "PRODUCTION",
      config: { region: "eu" },
      provider: { slug: "acme" },
      credential: { tokenType: "BEARER_TOKEN" },
    });
    await expect(createConnection(ctx, { ...base, provider: "acme", name: "main", credential: TOKEN })).rejects.toThrow(
      ConflictError,
    );
    await expect(createConnection(ctx, { ...base, provider: "acme", name: "other", credential: null })).rejects.toThrow(
      UsageError,
    );
    await expect(createConnection(ctx, { ...base, provider: "nope", name: "x", credential: TOKEN })).rejects.toThrow(
      NotFoundError,
    );
    await expect(
      createConnection(ctx, { ...base, provider: "acme", name: "x", config: { baseUrl: "nope" }, credential: TOKEN }),
    ).rejects.toThrow(/not a URL/);
    await createProvider(ctx, provider("off", "https://off.example", { status: "disabled" }));
    await expect(createConnection(ctx, { ...base, provider: "off", name: "x", credential: TOKEN })).rejects.toThrow(
      /disabled/,
    );
    const updated = await updateConnection(ctx, connection.id, {
      name: "primary",
      config: { region: null, tier: "gold" },
      rateLimitPerMinute: 30,
    });
    expect(updated).toMatchObject({ name: "primary", config: { tier: "gold" }, rateLimitPerMinute: 30 });
    await expect(updateConnection(ctx, connection.id, { config: { baseUrl: "ftp://x.example" } })).rejects.toThrow(
      /only http and https/,
    );
    expect((await setConnectionEnabled(ctx, connection.id, false, "maintenance")).status).toBe("DISABLED");
    expect((await setConnectionEnabled(ctx, connection.id, true, null)).status).toBe("PENDING");
    const replaced = await setConnectionCredentials(ctx, connection.id, `${TOKEN}-2`);
    expect(replaced.connection.credential!.id).toBe(connection.credential!.id);
    const text = await everyText(ctx);
    expect(text).not.toContain(TOKEN);
    expect(JSON.stringify(await listConnections(ctx))).not.toContain(TOKEN);
    expect((await deleteConnection(ctx, connection.id, { dryRun: true })).deleted).toBe(false);
    expect((await deleteConnection(ctx, connection.id)).deleted).toBe(true);
    await expect(showConnection(ctx, connection.id)).rejects.toThrow(NotFoundError);
    expect(
      await ctx.sql.all(`SELECT "id" FROM "IntegrationSecret" WHERE "name" LIKE ?`, [`connection/${connection.id}%`]),
    ).toEqual([]);
  });

  it("checks in parallel: healthy, refused (401), hung (cut off by the timeout), rate-limited, unreachable by policy", async () => {
    const healthy = await fake({ accept: (r) => r.headers.authorization === `Bearer ${TOKEN}` });
    const refusing = await fake({ behaviour: "unauthorized" });
    const hanging = await fake({ behaviour: "hang" });
    const limited = await fake({
      behaviour: "rate-limit",
      rateLimit: { max: 0, windowMs: 1000, retryAfterSeconds: 1 },
    });
    const mk = async (slug: string, url: string, extra: Record<string, unknown> = {}) => {
      await createProvider(ctx, provider(slug, url, extra));
      return (await createConnection(ctx, { ...base, provider: slug, name: "c", credential: TOKEN })).connection.id;
    };
    const ids = {
      healthy: await mk("ok", healthy.url),
      refused: await mk("refused", refusing.url),
      hung: await mk("hung", hanging.url),
      limited: await mk("limited", limited.url),
      guarded: await mk("guarded", healthy.url),
    };
    // As if its host had come to resolve to a private address after it was created: the guard at
    // connect time must still refuse it.
    await ctx.sql.run(`UPDATE "IntegrationProvider" SET "config" = ? WHERE "slug" = ?`, [{ auth: {} }, "guarded"]);
    // As an operator holding the master key would have written it (no CLI flag takes the permission away).
    await sealConfig(
      ctx,
      "IntegrationProvider",
      (await ctx.sql.get<{ id: string }>(`SELECT "id" FROM "IntegrationProvider" WHERE "slug" = ?`, ["guarded"]))!.id,
    );
    const started = Date.now();
    const run = await checkConnections(ctx, { filter: { ids: Object.values(ids) }, timeoutMs: 700, concurrency: 16 });
    expect(Date.now() - started).toBeLessThan(5000);
    const by = Object.fromEntries(run.checks.map((c) => [c.connectionId, c]));
    expect(by[ids.healthy]).toMatchObject({ status: "HEALTHY", httpStatus: 200, errorKind: null });
    expect(by[ids.refused]).toMatchObject({ status: "CREDENTIALS_INVALID", httpStatus: 401, errorKind: "auth" });
    expect(by[ids.hung]).toMatchObject({ status: "UNHEALTHY", httpStatus: null, errorKind: "timeout" });
    expect(by[ids.hung]!.latencyMs).toBeGreaterThanOrEqual(650);
    expect(by[ids.limited]).toMatchObject({ status: "DEGRADED", httpStatus: 429, errorKind: "unexpected_status" });
    expect(by[ids.guarded]).toMatchObject({ status: "UNHEALTHY", errorKind: "network" });
    expect(by[ids.guarded]!.errorMessage).toMatch(/private/);
    expect(healthy.requests.filter((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toHaveLength(1); // the guarded one never got through
    expect(await showConnection(ctx, ids.healthy)).toMatchObject({
      status: "HEALTHY",
      lastCheckedAt: t.ctx.now().toISOString(),
      lastHealthyAt: t.ctx.now().toISOString(),
    });
    expect((await showConnection(ctx, ids.refused)).status).toBe("CREDENTIALS_INVALID");
    const history = await listHealthChecks(ctx, ids.hung);
    expect(history).toHaveLength(1);
    expect(history[0]).toEqual(by[ids.hung]);
    expect(await listHealthChecks(ctx, ids.hung, { since: new Date(t.ctx.now().getTime() + 1000) })).toEqual([]);
    expect(JSON.stringify(run)).not.toContain(TOKEN);
    expect(await everyText(ctx)).not.toContain(TOKEN);
    // Disabled connections are skipped, not failed.
    await setConnectionEnabled(ctx, ids.refused, false, null);
    const again = await checkConnections(ctx, { filter: { providers: ["refused"] }, timeoutMs: 700, concurrency: 4 });
    expect(again).toEqual({ checks: [], labels: {}, skipped: [{ id: ids.refused, reason: "connection_disabled" }] });
    await updateProvider(ctx, "limited", { status: "DISABLED" });
    expect(await checkConnections(ctx, { filter: { providers: ["limited"] }, timeoutMs: 700, concurrency: 4 })).toEqual(
      { checks: [], labels: {}, skipped: [{ id: ids.limited, reason: "provider_disabled" }] },
    );
    await expect(
      checkConnections(ctx, { filter: { ids: ["conn_missing"] }, timeoutMs: 700, concurrency: 4 }),
    ).rejects.toThrow(NotFoundError);
    // Without the master key nothing is checked, and no connection is marked as refused for it.
    const before = await ctx.sql.all(`SELECT "id" FROM "IntegrationHealthCheck"`);
    await expect(
      checkConnections({ ...ctx, env: {} }, { filter: { ids: [ids.healthy] }, timeoutMs: 700, concurrency: 4 }),
    ).rejects.toThrow(/master key/i);
    expect(await ctx.sql.all(`SELECT "id" FROM "IntegrationHealthCheck"`)).toEqual(before);
    expect((await showConnection(ctx, ids.healthy)).status).toBe("HEALTHY");
  });

  it("imports connections all or nothing, naming the entry that failed", async () => {
    const entry = (name: string) => ({
      at: `connections[${name}]`,
      config: { provider: "ok", environment: "SANDBOX" as const, name },
      credential: TOKEN,
    });
    const count = async () => (await listConnections(ctx)).length;
    const before = await count();
    expect(
      (await importConnections(ctx, [entry("i1"), entry("i2")], { dryRun: true })).created.map((c) => c.name),
    ).toEqual(["i1", "i2"]);
    expect(await count()).toBe(before);
    await expect(importConnections(ctx, [entry("i3"), entry("i3")], { dryRun: false })).rejects.toThrow(
      /connections\[i3\]: A sandbox connection "i3"/,
    );
    expect(await count()).toBe(before);
    expect((await importConnections(ctx, [entry("i1"), entry("i2")], { dryRun: false })).created).toHaveLength(2);
    expect(await count()).toBe(before + 2);
  });

  it("validates a connections file: every problem with its path, and providers looked up", async () => {
    const result = await validateConnectionConfig(ctx.sql, {
      connections: [
        { provider: "ok", environment: "staging", name: "a" },
        { provider: "missing", environment: "nowhere", name: "b b", extra: 1 },
        { provider: "ok", environment: "staging", name: "a", credential: { fromEnv: "X" } },
      ],
    });
    expect(result.valid).toBe(false);
    expect(result.issues.map((i) => i.path)).toEqual([
      "connections[0].credential",
      "connections[1].environment",
      "connections[1].name",
      "connections[1]",
      "connections[2].name",
    ]);
    expect(
      await validateConnectionConfig(ctx.sql, {
        provider: "ok",
        environment: "production",
        name: "z",
        credential: { fromFile: "./token" },
      }),
    ).toEqual({ valid: true, issues: [] });
  });
});
