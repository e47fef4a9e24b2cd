import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, CredentialError } from "../../src/errors.js";
import { generateKey } from "../../src/lib/api-key.js";
import { createKey, type CreateKeyInput } from "../../src/services/keys/create.js";
import { expireKeys } from "../../src/services/keys/expire.js";
import { listKeys } from "../../src/services/keys/list.js";
import { keyMetrics } from "../../src/services/keys/metrics.js";
import { revokeKey, revokeKeys } from "../../src/services/keys/revoke.js";
import { rotateKey, rotationStatus } from "../../src/services/keys/rotate.js";
import { showKey } from "../../src/services/keys/show.js";
import { KeyVerifier, verifyKey } from "../../src/services/keys/verify.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const base: CreateKeyInput = {
  name: "ci",
  scopes: ["READ", "WRITE"],
  environment: "live",
  prefix: "intg",
  ownerId: "team-a",
  metadata: { purpose: "ci" },
  expiresAt: null,
};

describe.each(PROVIDERS)("API keys on %s", (provider) => {
  let t: TestServices;
  beforeAll(async () => (t = await testServices(provider)));
  afterAll(async () => t?.dispose());

  it("creates a key shown once, stores only its hash, and lists it without secrets", async () => {
    const created = await createKey(t.ctx, { ...base, name: "listed" });
    expect(created.key).toMatch(/^intg_live_/);
    const row = await t.ctx.sql.get<Record<string, string>>(`SELECT * FROM "ApiKey" WHERE "id" = ?`, [created.id]);
    expect(JSON.stringify(row)).not.toContain(created.key);
    const listed = (await listKeys(t.ctx, {})).find((k) => k.id === created.id)!;
    expect(listed).toMatchObject({
      name: "listed",
      scopes: ["READ", "WRITE"],
      status: "ACTIVE",
      ownerId: "team-a",
      metadata: { purpose: "ci" },
      useCount: 0,
    });
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(listed).not.toHaveProperty("hash");
    expect(listed).not.toHaveProperty("key");
  });

  it("verifies: valid, wrong scope, ADMIN covers every scope, unknown, malformed; and records use once flushed", async () => {
    const { key, id } = await createKey(t.ctx, { ...base, name: "verify" });
    const admin = await createKey(t.ctx, { ...base, name: "admin", scopes: ["ADMIN"] });
    const v = new KeyVerifier(t.ctx);
    expect(await v.verify(key, "WRITE")).toMatchObject({
      valid: true,
      outcome: "VALID",
      keyId: id,
      scopes: ["READ", "WRITE"],
    });
    expect(await v.verify(key, "ADMIN")).toMatchObject({ valid: false, outcome: "INSUFFICIENT_SCOPE" });
    expect(await v.verify(admin.key, "WEBHOOKS")).toMatchObject({ valid: true });
    // Well-formed, checksum and all, but never issued.
    expect(await v.verify(generateKey("intg", "live").key)).toMatchObject({
      valid: false,
      outcome: "NOT_FOUND",
      keyId: null,
    });
    expect(await v.verify("intg_live_nope")).toMatchObject({ outcome: "MALFORMED" });
    expect((await showKey(t.ctx, { id })).useCount).toBe(0); // buffered until flush
    await v.flush();
    const shown = await showKey(t.ctx, { id });
    expect(shown.useCount).toBe(1);
    expect(shown.lastUsedAt).toBe(t.ctx.now().toISOString());
  });

  it("refuses revoked and expired keys", async () => {
    const { key, id } = await createKey(t.ctx, {
      ...base,
      name: "short",
      expiresAt: new Date(t.ctx.now().getTime() + HOUR),
    });
    expect((await verifyKey(t.ctx, { key, scope: null })).valid).toBe(true);
    t.advance(2 * HOUR);
    expect(await verifyKey(t.ctx, { key, scope: null })).toMatchObject({ valid: false, outcome: "EXPIRED" });
    const other = await createKey(t.ctx, { ...base, name: "revoked" });
    await revokeKey(t.ctx, { id: other.id, reason: "leaked" });
    expect(await verifyKey(t.ctx, { key: other.key, scope: null })).toMatchObject({ outcome: "REVOKED" });
    expect((await showKey(t.ctx, { id })).status).toBe("EXPIRED");
  });

  it("rotates: same scopes, metadata, owner and expiry; the old key works until the grace ends", async () => {
    const expiresAt = new Date(t.ctx.now().getTime() + 30 * DAY);
    const old = await createKey(t.ctx, { ...base, name: "rot", scopes: ["REFS"], expiresAt });
    const fresh = await rotateKey(t.ctx, { keyId: old.id, graceMs: 2 * HOUR });
    expect(fresh).toMatchObject({
      name: "rot",
      scopes: ["REFS"],
      ownerId: "team-a",
      metadata: { purpose: "ci" },
      expiresAt: expiresAt.toISOString(),
      rotatedFromId: old.id,
    });
    expect(fresh.key).not.toBe(old.key);
    expect((await showKey(t.ctx, { id: old.id })).rotatedToId).toBe(fresh.id);
    expect((await verifyKey(t.ctx, { key: old.key, scope: null })).status).toBe("ROTATING");
    expect((await rotationStatus(t.ctx, { id: old.id })).oldKeyUsedSinceRotation).toBe(false);
    t.advance(60_000);
    await verifyKey(t.ctx, { key: old.key, scope: null });
    expect(await rotationStatus(t.ctx, { id: fresh.id })).toMatchObject({
      oldKeyId: old.id,
      oldKeyValid: true,
      oldKeyUsedSinceRotation: true,
    });
    await expect(rotateKey(t.ctx, { keyId: old.id, graceMs: HOUR })).rejects.toBeInstanceOf(ConflictError);
    t.advance(2 * HOUR);
    expect((await verifyKey(t.ctx, { key: old.key, scope: null })).outcome).toBe("EXPIRED");
    expect((await verifyKey(t.ctx, { key: fresh.key, scope: null })).valid).toBe(true);
  });

  it("never extends a grace period beyond the key's own expiry, and refuses to rotate revoked keys", async () => {
    const expiresAt = new Date(t.ctx.now().getTime() + HOUR);
    const k = await createKey(t.ctx, { ...base, name: "soon", expiresAt });
    await rotateKey(t.ctx, { keyId: k.id, graceMs: 7 * DAY });
    expect((await showKey(t.ctx, { id: k.id })).graceEndsAt).toBe(expiresAt.toISOString());
    const now0 = await createKey(t.ctx, { ...base, name: "zero" });
    await rotateKey(t.ctx, { keyId: now0.id, graceMs: 0 });
    expect((await verifyKey(t.ctx, { key: now0.key, scope: null })).outcome).toBe("EXPIRED");
    const r = await createKey(t.ctx, { ...base, name: "gone" });
    await revokeKey(t.ctx, { id: r.id, reason: null });
    await expect(rotateKey(t.ctx, { keyId: r.id, graceMs: HOUR })).rejects.toBeInstanceOf(CredentialError);
  });

  it("revokes in bulk by filter, with a dry run that changes nothing", async () => {
    const a = await createKey(t.ctx, { ...base, name: "bulk-a", environment: "test", ownerId: "bulk" });
    const b = await createKey(t.ctx, {
      ...base,
      name: "bulk-b",
      environment: "test",
      ownerId: "bulk",
      scopes: ["ADMIN"],
    });
    const request = {
      operation: "revoke" as const,
      where: { ownerId: "bulk", scopes: ["ADMIN" as const] },
      reason: "cleanup",
      dryRun: true,
    };
    const plan = await revokeKeys(t.ctx, request);
    expect(plan).toMatchObject({ matched: 1, changed: 0 });
    expect(plan.keys.map((k) => k.id)).toEqual([b.id]);
    expect((await showKey(t.ctx, { id: b.id })).status).toBe("ACTIVE");
    const done = await revokeKeys(t.ctx, { ...request, dryRun: false, where: { ownerId: "bulk" } });
    expect(done).toMatchObject({ matched: 2, changed: 2 });
    expect((await showKey(t.ctx, { id: a.id })).revokedReason).toBe("cleanup");
  });

  it("filters by unused-for and expiring-within; expire is idempotent; every mutation is audited", async () => {
    const stale = await createKey(t.ctx, { ...base, name: "stale", ownerId: "filters" });
    t.advance(100 * DAY);
    const soon = await createKey(t.ctx, {
      ...base,
      name: "soon2",
      ownerId: "filters",
      expiresAt: new Date(t.ctx.now().getTime() + 3 * DAY),
    });
    const unused = await listKeys(t.ctx, {
      ownerId: "filters",
      notUsedSince: new Date(t.ctx.now().getTime() - 90 * DAY).toISOString(),
    });
    expect(unused.map((k) => k.id)).toEqual([stale.id]);
    const expiring = await listKeys(t.ctx, {
      ownerId: "filters",
      expiresBefore: new Date(t.ctx.now().getTime() + 7 * DAY).toISOString(),
    });
    expect(expiring.map((k) => k.id)).toEqual([soon.id]);
    t.advance(4 * DAY);
    const first = await expireKeys(t.ctx);
    expect(first.map((k) => k.id)).toContain(soon.id);
    expect(await expireKeys(t.ctx)).toEqual([]);
    const actions = await t.ctx.sql.all<{ action: string }>(
      `SELECT "action" FROM "AuditEvent" WHERE "targetId" = ? ORDER BY "seq"`,
      [soon.id],
    );
    expect(actions.map((a) => a.action)).toEqual(["key.create", "key.expire"]);
  });

  it("reports metrics: keys by status, verifications by outcome, rotations", async () => {
    const m = await keyMetrics(t.ctx, { sinceMs: 365 * DAY, expiringWithinMs: 7 * DAY });
    expect(m.keysByStatus.REVOKED).toBeGreaterThanOrEqual(3);
    expect(m.verificationsByOutcome.VALID).toBeGreaterThanOrEqual(4);
    expect(m.verificationsByOutcome.INSUFFICIENT_SCOPE).toBe(1);
    expect(m.verificationsByOutcome.MALFORMED).toBeGreaterThanOrEqual(1);
    expect(m.rotations).toBe(3);
    expect(Object.keys(m.keysByStatus).sort()).toEqual(["ACTIVE", "EXPIRED", "REVOKED", "ROTATING"]);
  });
});
