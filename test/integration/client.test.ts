import { exitCodeOf } from "../../src/cli/exit-codes.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.js";
import { applyPendingMigrations } from "../../src/db/migrations.js";
import { parseDbUrl } from "../../src/db/url.js";
import { PendingError } from "../../src/errors.js";
import {
  ApiKeyScope,
  AuthenticationType,
  DeliveryStatus,
  IntegrationCategory,
  IntegrationEnvironment,
} from "../../src/db/generated/sqlite/enums.js";
import { newId } from "../../src/lib/ids.js";
import { PROVIDERS, tempDb, type TempDb } from "../helpers/databases.js";
import { createPrismaClient, type Prisma } from "../helpers/prisma.js";

// The same tests on every provider: the two generated clients must behave alike.
describe.each(PROVIDERS)("Prisma client on %s", (provider) => {
  let temp: TempDb;
  let db: Database;
  let prisma: Prisma;

  beforeAll(async () => {
    temp = await tempDb(provider);
    const target = parseDbUrl(temp.url, "--db", process.cwd());
    await applyPendingMigrations(target);
    db = await openDatabase(target, { autoMigrate: false });
    prisma = await createPrismaClient(target);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.close();
    await temp?.dispose();
  });

  it("refuses a database behind its migrations, naming `intg db migrate` (exit 8)", async () => {
    const fresh = await tempDb(provider);
    try {
      const err = await openDatabase(parseDbUrl(fresh.url, "--db", process.cwd()), { autoMigrate: false }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(PendingError);
      expect(exitCodeOf(err)).toBe(8);
      expect(err.hint).toContain("intg db migrate");
    } finally {
      await fresh.dispose();
    }
  });

  it("refuses a database missing one migration, naming it", async () => {
    const other = await tempDb(provider);
    try {
      const target = parseDbUrl(other.url, "--db", process.cwd());
      await applyPendingMigrations(target);
      const opened = await openDatabase(target, { autoMigrate: false });
      const [last] = await opened.sql.all<{ name: string }>(
        `SELECT "migration_name" AS "name" FROM "_prisma_migrations" ORDER BY "migration_name" DESC LIMIT 1`,
      );
      await opened.sql.run(`DELETE FROM "_prisma_migrations" WHERE "migration_name" = ?`, [last!.name]);
      await opened.close();
      await expect(openDatabase(target, { autoMigrate: false })).rejects.toThrow(`1 pending: ${last!.name}`);
    } finally {
      await other.dispose();
    }
  });

  it("round-trips enums, JSON and relations", async () => {
    const now = new Date("2026-02-01T10:00:00.000Z");
    const prov = await prisma.integrationProvider.create({
      data: {
        id: newId("provider"),
        slug: `stripe-${provider}`,
        name: "Stripe",
        category: IntegrationCategory.PAYMENTS,
        baseUrl: "https://api.stripe.com",
        authType: AuthenticationType.BEARER_TOKEN,
        config: { version: "2024-06-20", tags: ["a", "b"] },
      },
    });
    const conn = await prisma.integrationConnection.create({
      data: {
        id: newId("connection"),
        providerId: prov.id,
        name: "main",
        environment: IntegrationEnvironment.PRODUCTION,
        lastCheckedAt: now,
      },
      include: { provider: true },
    });
    expect(conn.provider.category).toBe("PAYMENTS");
    expect(conn.status).toBe("PENDING");
    expect(conn.lastCheckedAt?.toISOString()).toBe(now.toISOString());
    const again = await prisma.integrationProvider.findUniqueOrThrow({ where: { id: prov.id } });
    expect(again.config).toEqual({ version: "2024-06-20", tags: ["a", "b"] });
  });

  it("keeps API key scopes in a join table, queryable by scope", async () => {
    const id = newId("apiKey");
    await prisma.apiKey.create({
      data: {
        id,
        name: "ci",
        prefix: "intg",
        environment: "live",
        hash: `h-${id}`,
        start: "intg_live_ab",
        end: "wxyz",
        formatVersion: 1,
        scopes: { create: [{ scope: ApiKeyScope.READ }, { scope: ApiKeyScope.WEBHOOKS }] },
      },
    });
    const found = await prisma.apiKey.findMany({
      where: { scopes: { some: { scope: ApiKeyScope.WEBHOOKS } } },
      include: { scopes: true },
    });
    expect(found.map((k) => k.id)).toEqual([id]);
    expect(found[0]!.scopes.map((s) => s.scope).sort()).toEqual(["READ", "WEBHOOKS"]);
  });

  it("enforces unique constraints (one delivery per event and endpoint)", async () => {
    const ep = await prisma.webhookEndpoint.create({
      data: { id: newId("endpoint"), url: "https://example.com/hook", eventFilter: [], secretCiphertext: "x" },
    });
    const evt = await prisma.webhookEvent.create({
      data: { id: newId("event"), type: "invoice.paid", payload: '{"type":"invoice.paid"}', timestamp: new Date() },
    });
    const delivery = { eventId: evt.id, endpointId: ep.id, status: DeliveryStatus.PENDING, nextAttemptAt: new Date() };
    await prisma.webhookDelivery.create({ data: { id: newId("delivery"), ...delivery } });
    await expect(prisma.webhookDelivery.create({ data: { id: newId("delivery"), ...delivery } })).rejects.toMatchObject(
      { code: "P2002" },
    );
  });
});
