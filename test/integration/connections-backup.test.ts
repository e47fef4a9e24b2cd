import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, CredentialError } from "../../src/errors.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { createBackup, insertMapping, listMappingViews } from "../../src/services/connections/backup.js";
import { restoreBackup } from "../../src/services/connections/restore.js";
import { listConnections } from "../../src/services/connections/rows.js";
import { createConnection } from "../../src/services/connections/write.js";
import type { ServiceContext } from "../../src/services/context.js";
import { listProviders } from "../../src/services/providers/rows.js";
import { createProvider } from "../../src/services/providers/write.js";
import type { IntegrationConnectionInfo } from "../../src/types/integration/integration.types.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

const withKey = (t: TestServices): ServiceContext => ({
  ...t.ctx,
  env: { INTG_MASTER_KEY: generateMasterKey().bytes.toString("base64") },
});

describe.each(PROVIDERS)("backup and restore on %s", (db) => {
  let source: TestServices;
  let target: TestServices;
  let src: ServiceContext;
  let dst: ServiceContext;
  beforeAll(async () => {
    [source, target] = await Promise.all([testServices(db), testServices(db)]);
    [src, dst] = [withKey(source), withKey(target)];
  });
  afterAll(async () => Promise.all([source?.dispose(), target?.dispose()]));

  it("reproduces providers, connections (credentials re-sealed) and mappings, ids kept", async () => {
    await createProvider(src, {
      slug: "crm",
      name: "CRM",
      category: "CRM",
      baseUrl: "https://crm.example",
      auth: "basic",
      rateLimitPerMinute: 100,
    });
    const { connection } = await createConnection(src, {
      provider: "crm",
      environment: "PRODUCTION",
      name: "main",
      config: { region: "eu" },
      rateLimitPerMinute: 50,
      credential: "ann:secret-pw",
    });
    const [provider] = await listProviders(src);
    const mapping = {
      id: "map_01TEST",
      name: "contacts",
      providerId: provider!.id,
      connectionId: connection.id,
      entityType: "user",
      externalType: "contact",
      fieldMappings: [{ source: "email", target: "email" }],
      transformationRules: [],
      validationRules: [],
      syncPreferences: null,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
    };
    await insertMapping(src.sql, mapping as never);

    const backup = await createBackup(src, { passphrase: "a long passphrase" });
    expect(backup).toMatchObject({ format: "intg-integrations-backup", version: 1, secrets: { count: 1 } });
    expect(JSON.stringify(backup)).not.toContain("secret-pw");
    await expect(restoreBackup(dst, backup, { passphrase: "wrong passphrase!", dryRun: false })).rejects.toThrow(
      CredentialError,
    );

    const report = await restoreBackup(dst, backup, { passphrase: "a long passphrase", dryRun: false });
    expect(report).toMatchObject({
      credentials: 1,
      conflicts: [],
      created: { providers: [provider!.id], connections: [connection.id], mappings: ["map_01TEST"] },
    });
    expect(await listProviders(dst)).toEqual(await listProviders(src));
    const strip = (c: IntegrationConnectionInfo) => ({ ...c, credential: null });
    expect((await listConnections(dst)).map(strip)).toEqual((await listConnections(src)).map(strip));
    expect(await listMappingViews(dst.sql)).toEqual(await listMappingViews(src.sql));
    const restored = await dst.sql.get<{ rateLimitPerMinute: unknown }>(
      `SELECT "rateLimitPerMinute" FROM "IntegrationConnection" WHERE "id" = ?`,
      [connection.id],
    );
    expect(Number(restored!.rateLimitPerMinute)).toBe(50);
    expect(JSON.stringify(await dst.sql.all(`SELECT * FROM "IntegrationSecret"`))).not.toContain("secret-pw");
  });

  it("is all or nothing: a mapping whose connection is missing is a conflict, and nothing is written", async () => {
    const fresh = await testServices(db);
    try {
      const ctx = withKey(fresh);
      const backup = await createBackup(src, { passphrase: null });
      // An edited file fails its signature; here the operator edits it and vouches for it.
      backup.mappings[0]!.connectionId = "conn_gone";
      await expect(restoreBackup(ctx, backup, { passphrase: null, dryRun: true })).rejects.toMatchObject({
        code: "MASTER_KEY_UNAVAILABLE",
      });
      const edited = { ...backup, signature: undefined } as unknown as typeof backup;
      const dry = await restoreBackup(ctx, edited, { passphrase: null, dryRun: true, allowUnsigned: true });
      expect(dry.conflicts).toEqual([{ id: "map_01TEST", message: "its connection conn_gone is missing" }]);
      await expect(
        restoreBackup(ctx, edited, { passphrase: null, dryRun: false, allowUnsigned: true }),
      ).rejects.toThrow(ConflictError);
      expect(await listProviders(ctx)).toEqual([]);
      edited.mappings = [];
      const report = await restoreBackup(ctx, edited, { passphrase: null, dryRun: false, allowUnsigned: true });
      expect(report.withoutCredentials).toHaveLength(1);
      expect((await listConnections(ctx))[0]).toMatchObject({ status: "PENDING", credential: null });
    } finally {
      await fresh.dispose();
    }
  });
});
