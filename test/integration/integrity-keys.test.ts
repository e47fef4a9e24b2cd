import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { verifyAuditChain } from "../../src/services/audit/verify.js";
import type { ServiceContext } from "../../src/services/context.js";
import { checkConfig } from "../../src/services/integrity/config.js";
import { integrityKeyMasterId } from "../../src/services/integrity/reencrypt.js";
import { createProvider } from "../../src/services/providers/write.js";
import { PROVIDER_COLUMNS } from "../../src/services/providers/rows.js";
import { pruneKeys } from "../../src/services/secrets/prune-keys.js";
import { rotateMasterKey } from "../../src/services/secrets/rotate-master-key.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

const b64 = (k: { bytes: Buffer }) => k.bytes.toString("base64");

// The integrity root is sealed under the master key like a secret, though it is none: a rotation
// must move it, and prune-keys must not drop the key it is still under.
describe.each(PROVIDERS)("the integrity key through master-key rotations on %s", (provider) => {
  let t: TestServices;
  const OLD = generateMasterKey();
  const NEW = generateMasterKey();
  let before: ServiceContext;
  let during: ServiceContext;
  beforeAll(async () => {
    t = await testServices(provider);
    before = { ...t.ctx, env: { INTG_MASTER_KEY: b64(OLD) } };
    during = { ...t.ctx, env: { INTG_MASTER_KEY: b64(NEW), INTG_PREVIOUS_MASTER_KEYS: b64(OLD) } };
  });
  afterAll(async () => t?.dispose());

  const rows = (ctx: ServiceContext) =>
    ctx.sql.all<Record<string, unknown>>(`SELECT ${PROVIDER_COLUMNS} FROM "IntegrationProvider" p`);

  it("is made under the master key by the first configuration write, with no secret in the store", async () => {
    await createProvider(before, {
      slug: "acme",
      name: "Acme",
      category: "CRM",
      baseUrl: "https://api.acme.example",
      auth: { type: "none" },
    });
    expect(await integrityKeyMasterId(before)).toBe(OLD.id);
  });

  it("keeps the old key needed while the root is under it, then moves it on rotation", async () => {
    // No secret is under OLD, but the root is: OLD is not unneeded yet.
    expect((await pruneKeys(during, { dryRun: true })).unneededEnvKeyIds).toEqual([]);
    await rotateMasterKey(during);
    expect(await integrityKeyMasterId(during)).toBe(NEW.id);
    expect((await pruneKeys(during, { dryRun: true })).unneededEnvKeyIds).toEqual([OLD.id]);
    // Under the new key alone, every MAC and the whole chain still hold: the root did not change.
    const after = { ...t.ctx, env: { INTG_MASTER_KEY: b64(NEW) } };
    await checkConfig(
      after,
      (await rows(after)).map((r) => ["IntegrationProvider", r]),
    );
    expect(await verifyAuditChain(after)).toMatchObject({ ok: true, keyed: true, unsealedTail: 0 });
    await expect(
      checkConfig(
        before,
        (await rows(before)).map((r) => ["IntegrationProvider", r]),
      ),
    ).rejects.toMatchObject({ code: "MASTER_KEY_UNAVAILABLE" });
  });
});
