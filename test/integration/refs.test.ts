import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../src/services/context.js";
import { linkReference, type LinkInput } from "../../src/services/refs/link.js";
import { listReferences, showHistory } from "../../src/services/refs/list.js";
import { lookupReferences } from "../../src/services/refs/lookup.js";
import { findRef } from "../../src/services/refs/rows.js";
import { unlinkReference } from "../../src/services/refs/unlink.js";
import { PROVIDERS } from "../helpers/databases.js";
import { seedTwoConnections } from "../helpers/ref-fixtures.js";
import { testServices, type TestServices } from "../helpers/services.js";

const link = (ctx: ServiceContext, over: Partial<LinkInput>) =>
  linkReference(ctx, {
    connection: "conn_hubspot",
    entityType: "user",
    entityId: "42",
    externalType: "contact",
    externalId: "901",
    metadata: null,
    ...over,
  });
const none = { connectionIds: [], entityTypes: [], externalTypes: [], since: null };

describe.each(PROVIDERS)("references on %s", (provider) => {
  let t: TestServices;
  let ctx: ServiceContext;
  beforeAll(async () => {
    t = await testServices(provider);
    ctx = t.ctx;
    await seedTwoConnections(ctx.sql);
  });
  afterAll(async () => t?.dispose());

  it("links, re-links idempotently, merges metadata, and records each change in the history", async () => {
    const created = await link(ctx, { metadata: { source: "crm" } });
    expect(created.action).toBe("created");
    expect(created.reference).toMatchObject({
      id: expect.stringMatching(/^ref_/),
      connectionId: "conn_hubspot",
      entityType: "user",
      entityId: "42",
      externalType: "contact",
      externalId: "901",
      metadata: { source: "crm" },
      remoteDeleted: false,
      remoteDeletedAt: null,
      firstSeenAt: "2026-01-15T12:00:00.000Z",
    });
    expect((await link(ctx, {})).action).toBe("unchanged");
    t.advance(60_000);
    const updated = await link(ctx, { connection: "hubspot", metadata: { owner: "ana" } }); // by unique name
    expect(updated).toMatchObject({
      action: "updated",
      reference: {
        id: created.reference.id,
        metadata: { source: "crm", owner: "ana" },
        lastModifiedAt: "2026-01-15T12:01:00.000Z",
      },
    });
    const history = await showHistory(ctx, { id: created.reference.id });
    expect(history.map((h) => [h.action, h.source, h.actor])).toEqual([
      ["link", "cli", "tester"],
      ["update", "cli", "tester"],
    ]);
    expect(history[0]!.changes).toEqual([
      { field: "entityType", from: null, to: "user" },
      { field: "entityId", from: null, to: "42" },
      { field: "externalType", from: null, to: "contact" },
      { field: "externalId", from: null, to: "901" },
      { field: "metadata", from: null, to: { source: "crm" } },
      { field: "remoteDeleted", from: null, to: false },
    ]);
    expect(history[1]!.changes).toEqual([
      { field: "metadata", from: { source: "crm" }, to: { source: "crm", owner: "ana" } },
    ]);
    const audit = await ctx.sql.all<{ action: string; actor: string }>(
      `SELECT "action", "actor" FROM "AuditEvent" WHERE "targetId" = ? ORDER BY "seq"`,
      [created.reference.id],
    );
    expect(audit).toEqual([
      { action: "reference.link", actor: "tester" },
      { action: "reference.update", actor: "tester" },
    ]);
  });

  it("refuses a link that would take either side from another reference, naming that reference (exit 6)", async () => {
    const held = (await link(ctx, { entityId: "7", externalId: "700" })).reference;
    await expect(link(ctx, { entityId: "8", externalId: "700" })).rejects.toMatchObject({
      kind: "conflict",
      code: "REF_CONFLICT",
      message: expect.stringContaining(held.id),
    });
    await expect(link(ctx, { entityId: "7", externalId: "701" })).rejects.toMatchObject({
      kind: "conflict",
      message: expect.stringContaining(`by ${held.id}`),
    });
    // Another external type, or another connection, is another link.
    expect((await link(ctx, { entityId: "7", externalType: "company", externalId: "700" })).action).toBe("created");
    expect(
      (await link(ctx, { connection: "conn_salesforce", entityId: "7", externalType: "lead", externalId: "700" }))
        .action,
    ).toBe("created");
    await expect(link(ctx, { connection: "conn_nope" })).rejects.toMatchObject({
      kind: "not_found",
      code: "CONNECTION_NOT_FOUND",
    });
  });

  it("looks a record up across providers, by entity and through one of its external records", async () => {
    await link(ctx, { connection: "conn_salesforce", externalType: "contact", externalId: "SF-42" });
    const byEntity = await lookupReferences(ctx, { kind: "entity", entityType: "user", entityId: "42" });
    expect(
      byEntity.references.map((r) => [
        r.provider.slug,
        r.connection.name,
        r.connection.environment,
        `${r.externalType}:${r.externalId}`,
      ]),
    ).toEqual([
      ["hubspot", "hubspot", "PRODUCTION", "contact:901"],
      ["salesforce", "salesforce", "STAGING", "contact:SF-42"],
    ]);
    const byExternal = await lookupReferences(ctx, {
      kind: "external",
      connection: "conn_hubspot",
      externalType: "contact",
      externalId: "901",
    });
    expect(byExternal.query).toEqual({
      kind: "external",
      connectionId: "conn_hubspot",
      externalType: "contact",
      externalId: "901",
    });
    expect(byExternal.references.map((r) => r.externalId)).toEqual(["901", "SF-42"]);
    expect(byExternal.references[0]!.provider).toEqual({
      id: "prov_hubspot",
      slug: "hubspot",
      name: "Hubspot",
      category: "CRM",
      status: "ACTIVE",
    });
    await expect(lookupReferences(ctx, { kind: "entity", entityType: "user", entityId: "999" })).rejects.toMatchObject({
      kind: "not_found",
    });
  });

  it("lists with filters, and unlinks keeping the history", async () => {
    const all = await listReferences(ctx, none, 100);
    expect(all.references.length).toBe(5);
    expect(
      (await listReferences(ctx, { ...none, connectionIds: ["conn_salesforce"] }, 100)).references
        .map((r) => r.externalType)
        .sort(),
    ).toEqual(["contact", "lead"]);
    expect((await listReferences(ctx, { ...none, externalTypes: ["company"] }, 100)).references).toHaveLength(1);
    t.advance(3_600_000);
    await link(ctx, { entityId: "7", externalId: "700", metadata: { touched: "yes" } });
    expect(
      (await listReferences(ctx, { ...none, since: new Date(ctx.now().getTime() - 60_000) }, 100)).references.map(
        (r) => `${r.entityId}:${r.externalId}`,
      ),
    ).toEqual(["7:700"]);
    expect(await listReferences(ctx, none, 2)).toMatchObject({ more: true, references: [{}, {}] });

    const ref = all.references[0]!;
    const dry = await unlinkReference(ctx, { id: ref.id, dryRun: true });
    expect(await findRef(ctx.sql, ref.id)).toEqual(dry);
    await unlinkReference(ctx, { id: ref.id, dryRun: false });
    await expect(findRef(ctx.sql, ref.id)).rejects.toMatchObject({ kind: "not_found" });
    expect(
      (
        await ctx.sql.all<{ action: string }>(`SELECT "action" FROM "AuditEvent" WHERE "targetId" = ? ORDER BY "seq"`, [
          ref.id,
        ])
      ).at(-1),
    ).toEqual({ action: "reference.unlink" });
    const history = await showHistory(ctx, { id: ref.id });
    expect(history.at(-1)).toMatchObject({
      action: "unlink",
      changes: expect.arrayContaining([{ field: "externalId", from: "901", to: null }]),
    });
    // The external record is free again.
    expect((await link(ctx, { entityId: "43" })).action).toBe("created");
    await expect(showHistory(ctx, { id: "ref_missing" })).rejects.toMatchObject({ kind: "not_found" });
  });
});
