import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, NotFoundError, UsageError } from "../../src/errors.js";
import type { ServiceContext } from "../../src/services/context.js";
import { listTemplates, templateDefinition } from "../../src/services/providers/catalog.js";
import { listProviders, showProvider, toDefinition } from "../../src/services/providers/rows.js";
import {
  createProvider,
  deprecateProvider,
  importProviders,
  updateProvider,
} from "../../src/services/providers/write.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

const count = async (ctx: ServiceContext, table: string) =>
  Number((await ctx.sql.get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "${table}"`))!.n);

describe("the template catalog", () => {
  it("holds at least ten well-known APIs, each a valid provider with a health request", () => {
    const names = listTemplates().map((t) => t.name);
    for (const n of [
      "stripe",
      "github",
      "slack",
      "hubspot",
      "salesforce",
      "shopify",
      "twilio",
      "sendgrid",
      "jira",
      "zendesk",
    ])
      expect(names).toContain(n);
    for (const t of listTemplates()) expect(t.connector.healthCheck.path).toMatch(/^\//);
    expect(() => templateDefinition("nope")).toThrow(NotFoundError);
  });
});

describe.each(PROVIDERS)("providers on %s", (provider) => {
  let t: TestServices;
  let ctx: ServiceContext;
  beforeAll(async () => {
    t = await testServices(provider);
    ctx = t.ctx;
  });
  afterAll(async () => t?.dispose());

  it("creates from a template, refuses a second with the same slug, updates and deprecates", async () => {
    const stripe = await createProvider(ctx, templateDefinition("stripe"));
    expect(stripe).toMatchObject({
      slug: "stripe",
      templateName: "stripe",
      status: "ACTIVE",
      connector: {
        auth: { type: "BEARER_TOKEN" },
        credentialTokenType: "BEARER_TOKEN",
        healthCheck: { method: "GET", path: "/v1/balance", expectedStatus: 200 },
      },
    });
    await expect(createProvider(ctx, templateDefinition("stripe"))).rejects.toThrow(ConflictError);
    const updated = await updateProvider(ctx, "stripe", {
      auth: { type: "API_KEY", placement: "query", name: "key" },
      rateLimitPerMinute: 10,
    });
    expect(updated.connector).toMatchObject({
      auth: { type: "API_KEY", placement: "query", name: "key" },
      credentialTokenType: "API_KEY",
      rateLimitPerMinute: 10,
    });
    await expect(updateProvider(ctx, "stripe", { baseUrl: "not a url" })).rejects.toThrow(/baseUrl/);
    expect((await showProvider(ctx, stripe.id)).baseUrl).toBe("https://api.stripe.com");
    expect((await deprecateProvider(ctx, "stripe")).status).toBe("DEPRECATED");
    expect((await listProviders(ctx, { status: "DEPRECATED" })).map((p) => p.slug)).toEqual(["stripe"]);
    await expect(showProvider(ctx, "missing")).rejects.toThrow(NotFoundError);
  });

  it("imports all or nothing: the first invalid entry is named by its path", async () => {
    const before = await count(ctx, "IntegrationProvider");
    const good = {
      slug: "acme",
      name: "Acme",
      category: "crm",
      baseUrl: "https://api.acme.test",
      auth: "bearer_token",
    };
    const bad = {
      slug: "beta",
      name: "Beta",
      category: "crm",
      baseUrl: "https://b.test",
      auth: { type: "oauth2_client_credentials", tokenUrl: "nope" },
    };
    const error = await importProviders(ctx, [good, bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain("providers[1].auth.tokenUrl");
    expect(await count(ctx, "IntegrationProvider")).toBe(before);
    const dry = await importProviders(ctx, [good], { dryRun: true });
    expect(dry).toEqual({ created: ["acme"], updated: [], dryRun: true });
    expect(await count(ctx, "IntegrationProvider")).toBe(before);
    const exported = (await listProviders(ctx)).map(toDefinition);
    const done = await importProviders(ctx, [...exported, good]);
    expect(done).toMatchObject({ created: ["acme"], updated: exported.map((d) => d.slug) });
    expect((await listProviders(ctx)).map(toDefinition)).toEqual(
      [
        ...exported,
        {
          ...good,
          category: "CRM",
          auth: { type: "BEARER_TOKEN" },
          status: "ACTIVE",
          docsUrl: null,
          healthCheck: { method: "GET", path: "/", expectedStatus: 200 },
          rateLimitPerMinute: null,
          paginationStyle: null,
          allowPrivateNetwork: false,
          templateName: null,
        },
      ].sort((a, b) => a.slug.localeCompare(b.slug)),
    );
    await expect(importProviders(ctx, [good, good])).rejects.toThrow(/providers\[1\]\.slug/);
  });
});
