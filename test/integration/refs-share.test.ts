import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../src/services/context.js";
import { linkReference } from "../../src/services/refs/link.js";
import { MappingSpecSchema } from "../../src/services/refs/mapping-schema.js";
import { setMapping } from "../../src/services/refs/mappings.js";
import { referenceMetrics } from "../../src/services/refs/metrics.js";
import { createShareLink, listShareLinks, resolveShareLink, revokeShareLink } from "../../src/services/refs/share.js";
import { PROVIDERS } from "../helpers/databases.js";
import { seedTwoConnections } from "../helpers/ref-fixtures.js";
import { testServices, type TestServices } from "../helpers/services.js";

const DAY = 86_400_000;

describe.each(PROVIDERS)("share links and metrics on %s", (provider) => {
  let t: TestServices;
  let ctx: ServiceContext;
  let refId: string;
  beforeAll(async () => {
    t = await testServices(provider);
    ctx = t.ctx;
    await seedTwoConnections(ctx.sql);
    refId = (
      await linkReference(ctx, {
        connection: "conn_hubspot",
        entityType: "user",
        entityId: "42",
        externalType: "contact",
        externalId: "901",
        metadata: null,
      })
    ).reference.id;
  });
  afterAll(async () => t?.dispose());

  it("shows a token once, stores only its hash, resolves it counting uses, and refuses it when used up (exit 4)", async () => {
    const created = await createShareLink(ctx, { referenceId: refId, expiresInMs: 7 * DAY, maxUses: 2 });
    expect(created.token).toMatch(/^intgshr_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^shl_/),
      referenceId: refId,
      state: "active",
      maxUses: 2,
      accessCount: 0,
      createdBy: "tester",
      expiresAt: "2026-01-22T12:00:00.000Z",
    });
    const stored = JSON.stringify(await ctx.sql.all(`SELECT * FROM "ExternalShareLink"`));
    expect(stored).not.toContain(created.token.slice(8));
    expect(JSON.stringify(await listShareLinks(ctx, { referenceId: refId }))).not.toContain(created.token);

    const first = await resolveShareLink(ctx, { token: created.token + "\n" });
    expect(first.reference.id).toBe(refId);
    expect(first.link).toMatchObject({ accessCount: 1, state: "active", lastAccessedAt: "2026-01-15T12:00:00.000Z" });
    expect((await resolveShareLink(ctx, { token: created.token })).link).toMatchObject({
      accessCount: 2,
      state: "used_up",
    });
    await expect(resolveShareLink(ctx, { token: created.token })).rejects.toMatchObject({
      kind: "credential",
      code: "SHARE_LINK_USED_UP",
    });
    await expect(resolveShareLink(ctx, { token: "intgshr_nope" })).rejects.toMatchObject({
      kind: "credential",
      code: "SHARE_TOKEN_INVALID",
    });
  });

  it("refuses expired and revoked links (exit 4); revoking is audited", async () => {
    const expiring = await createShareLink(ctx, { referenceId: refId, expiresInMs: DAY, maxUses: null });
    const revoked = await createShareLink(ctx, { referenceId: refId, expiresInMs: DAY, maxUses: null });
    expect((await revokeShareLink(ctx, { id: revoked.id, dryRun: true })).state).toBe("active");
    expect((await revokeShareLink(ctx, { id: revoked.id, dryRun: false })).state).toBe("revoked");
    await expect(resolveShareLink(ctx, { token: revoked.token })).rejects.toMatchObject({
      kind: "credential",
      code: "SHARE_LINK_REVOKED",
    });
    expect((await resolveShareLink(ctx, { token: expiring.token })).link.accessCount).toBe(1);
    t.advance(DAY);
    await expect(resolveShareLink(ctx, { token: expiring.token })).rejects.toMatchObject({
      kind: "credential",
      code: "SHARE_LINK_EXPIRED",
    });
    expect((await listShareLinks(ctx, { referenceId: null })).map((l) => l.state)).toEqual([
      "used_up",
      "expired",
      "revoked",
    ]);
    const audit = await ctx.sql.all<{ action: string }>(
      `SELECT "action" FROM "AuditEvent" WHERE "targetId" = ? ORDER BY "seq"`,
      [revoked.id],
    );
    expect(audit.map((a) => a.action)).toEqual(["share_link.create", "share_link.revoke"]);
    await expect(
      createShareLink(ctx, { referenceId: "ref_missing", expiresInMs: DAY, maxUses: null }),
    ).rejects.toMatchObject({ kind: "not_found" });
  });

  it("counts references per connection and entity type, orphans, remote deletions and daily growth", async () => {
    const link = (connection: string, entityType: string, entityId: string, externalType: string) =>
      linkReference(ctx, {
        connection,
        entityType,
        entityId,
        externalType,
        externalId: `${entityType}-${entityId}`,
        metadata: null,
      });
    await link("conn_hubspot", "user", "43", "contact");
    t.advance(DAY);
    await link("conn_hubspot", "account", "1", "company");
    await link("conn_salesforce", "user", "42", "lead");
    await ctx.sql.run(`UPDATE "ExternalReference" SET "remoteDeleted" = ? WHERE "externalType" = 'lead'`, [true]);
    await setMapping(ctx, {
      name: "contacts",
      spec: MappingSpecSchema.parse({
        provider: "hubspot",
        entityType: "user",
        externalType: "contact",
        fieldMappings: [{ source: "a", target: "b" }],
      }),
    });
    const m = await referenceMetrics(ctx, { days: 7 });
    expect(m).toEqual({
      generatedAt: "2026-01-17T12:00:00.000Z",
      total: 4,
      counts: [
        { connectionId: "conn_hubspot", connectionName: "hubspot", entityType: "account", count: 1 },
        { connectionId: "conn_hubspot", connectionName: "hubspot", entityType: "user", count: 2 },
        { connectionId: "conn_salesforce", connectionName: "salesforce", entityType: "user", count: 1 },
      ],
      orphans: 2, // the company and the lead: only hubspot user↔contact has a mapping
      remoteDeleted: 1,
      growth: [
        { day: "2026-01-15", created: 1 },
        { day: "2026-01-16", created: 1 },
        { day: "2026-01-17", created: 2 },
      ],
    });
    expect((await referenceMetrics(ctx, { days: 1 })).growth).toEqual([{ day: "2026-01-17", created: 2 }]);
  });
});
