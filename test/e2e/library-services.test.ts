import { afterAll, describe, expect, it } from "vitest";
import {
  createEndpoint,
  createKey,
  intgOnPrisma,
  linkReference,
  listKeys,
  lookupReferences,
  revokeKey,
  rotateKey,
  unlinkReference,
  verifyKey,
} from "../../src/index.js";
import { parseDbUrl } from "../../src/db/url.js";
import { PROVIDERS, tempDb } from "../helpers/databases.js";
import { createPrismaClient } from "../helpers/prisma.js";
import { TEST_MASTER_KEY } from "../helpers/services.js";
import { intg } from "../helpers/spawn.js";

// The services the package exports that write an audit event (or take a lock) run on an app's own
// PrismaClient too, alone and inside its transaction. On PostgreSQL the audit chain's lock was
// read back as a void column, which Prisma's raw queries cannot decode: every one of them failed.
describe.each(PROVIDERS)("the library's writing services on an app's PrismaClient, on %s", (provider) => {
  const open: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const close of open.reverse()) await close();
  });

  async function setUp() {
    const temp = await tempDb(provider);
    open.push(() => temp.dispose());
    const cli = (...args: string[]) => intg(["--db", temp.url, ...args], { env: { INTG_MASTER_KEY: TEST_MASTER_KEY } });
    expect((await cli("db", "migrate")).code).toBe(0);
    const made = await cli(
      ...["providers", "create", "--slug", "crm", "--name", "CRM", "--category", "crm"],
      ...["--base-url", "https://api.crm.example", "--auth", "none"],
    );
    expect(made.code, made.stderr).toBe(0);
    const connection = await cli(
      "connections",
      "create",
      "--provider",
      "crm",
      "--environment",
      "production",
      "--name",
      "main",
    );
    expect(connection.code, connection.stderr).toBe(0);
    const prisma = await createPrismaClient(parseDbUrl(temp.url, "--db", process.cwd()));
    open.push(() => prisma.$disconnect());
    const options = { provider, env: { INTG_MASTER_KEY: TEST_MASTER_KEY }, actor: "app" } as const;
    return { prisma, options, cli };
  }

  const keyInput = (name: string) => ({
    name,
    prefix: "app",
    environment: "test" as const,
    scopes: ["READ" as const],
    expiresAt: null,
    ownerId: null,
    metadata: null,
  });

  it("creates, verifies, rotates and revokes keys, links and unlinks references, creates an endpoint", async () => {
    const { prisma, options, cli } = await setUp();
    const ctx = intgOnPrisma(prisma, options);
    const created = await createKey(ctx, keyInput("alone"));
    expect((await verifyKey(ctx, { key: created.key, scope: null })).valid).toBe(true);
    // A refusal is recorded (and audited) too.
    expect((await verifyKey(ctx, { key: `${created.key}x`, scope: null })).valid).toBe(false);
    const rotated = await rotateKey(ctx, { keyId: created.id, graceMs: 0 });
    expect(rotated.id).not.toBe(created.id);
    expect((await revokeKey(ctx, { id: rotated.id, reason: "test" })).status).toBe("REVOKED");
    const link = { connection: "main", entityType: "user", entityId: "1", externalType: "contact" };
    const linked = await linkReference(ctx, { ...link, externalId: "101", metadata: null });
    expect(linked.action).toBe("created");
    await unlinkReference(ctx, { id: linked.reference.id, dryRun: false });
    const endpoint = await createEndpoint(
      intgOnPrisma(prisma, { ...options, env: { ...options.env, INTG_ALLOW_PRIVATE_NETWORK: "1" } }),
      {
        url: "http://127.0.0.1:9/hook",
        description: null,
        channel: "HTTP",
        eventFilter: [],
        headers: null,
        timeoutMs: 5000,
        retryScheduleMs: null,
        rateLimitPerSecond: null,
        allowPrivateNetwork: true,
      },
    );
    expect(endpoint.secret).toMatch(/^whsec_/);
    // Each change went into the chain the CLI verifies.
    const audit = await cli("audit", "verify");
    expect(audit.code, audit.stderr).toBe(0);
  });

  it("writes nothing of a service run in a transaction the app rolls back", async () => {
    const { prisma, options } = await setUp();
    await expect(
      prisma.$transaction(async (tx) => {
        const ctx = intgOnPrisma(tx, options);
        await createKey(ctx, keyInput("rolled back"));
        await linkReference(ctx, {
          connection: "main",
          entityType: "user",
          entityId: "2",
          externalType: "contact",
          externalId: "102",
          metadata: null,
        });
        throw new Error("the app's own write failed");
      }),
    ).rejects.toThrow("the app's own write failed");
    const ctx = intgOnPrisma(prisma, options);
    expect(await listKeys(ctx, {})).toHaveLength(0);
    await expect(lookupReferences(ctx, { kind: "entity", entityType: "user", entityId: "2" })).rejects.toThrow(
      "No reference for user:2",
    );
    await prisma.$transaction(async (tx) => createKey(intgOnPrisma(tx, options), keyInput("committed")));
    expect((await listKeys(ctx, {})).map((k) => k.name)).toEqual(["committed"]);
  });
});
