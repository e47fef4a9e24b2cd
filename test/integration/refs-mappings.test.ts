import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../src/services/context.js";
import { MappingSpecSchema } from "../../src/services/refs/mapping-schema.js";
import { findMapping, listMappings } from "../../src/services/refs/mapping-rows.js";
import { deleteMapping, setMapping } from "../../src/services/refs/mappings.js";
import { applyMapping } from "../../src/services/refs/transform.js";
import { PROVIDERS } from "../helpers/databases.js";
import { seedTwoConnections } from "../helpers/ref-fixtures.js";
import { testServices, type TestServices } from "../helpers/services.js";

const CONTACTS = {
  provider: "hubspot",
  entityType: "user",
  externalType: "contact",
  fieldMappings: [
    { source: "properties.email", target: "email", required: true },
    { source: "properties.firstname", target: "name.first" },
    { source: "properties.lifecyclestage", target: "stage" },
    { source: "properties.createdate", target: "createdOn", required: true },
    { source: "properties.country", target: "country", default: "US" },
    { source: "properties.score", target: "score" },
  ],
  transformationRules: [
    { kind: "trim", field: "email" },
    { kind: "lowercase", field: "email" },
    { kind: "uppercase", field: "country" },
    { kind: "date_format", field: "createdOn", from: "dd/MM/yyyy", to: "yyyy-MM-dd" },
    { kind: "enum_map", field: "stage", map: { lead: "prospect", customer: "active" }, otherwise: "error" },
    { kind: "default", field: "name.first", value: "(unknown)" },
    { kind: "jsonata", field: "displayName", expression: "name.first & ' <' & email & '>'" },
    { kind: "jsonata", field: "source", expression: "$source.id" },
  ],
  validationRules: [
    { kind: "pattern", field: "email", pattern: "^[^@]+@[^@]+$", message: "must be an email address" },
    { kind: "one_of", field: "country", values: ["US", "FR", "DE"] },
    { kind: "type", field: "score", type: "number" },
    { kind: "length", field: "email", min: 3, max: 80 },
  ],
  syncPreferences: { conflictPolicy: "overwrite", scheduleIntervalMs: 3_600_000 },
};
const spec = (over: object = {}) => MappingSpecSchema.parse({ ...CONTACTS, ...over });

describe.each(PROVIDERS)("mappings and transform on %s", (provider) => {
  let t: TestServices;
  let ctx: ServiceContext;
  beforeAll(async () => {
    t = await testServices(provider);
    ctx = t.ctx;
    await seedTwoConnections(ctx.sql);
  });
  afterAll(async () => t?.dispose());

  it("stores a mapping with its rules and preferences, and replaces it by name keeping its id", async () => {
    const created = await setMapping(ctx, { name: "hubspot-contacts", spec: spec() });
    expect(created.action).toBe("created");
    expect(created.mapping).toMatchObject({
      id: expect.stringMatching(/^map_/),
      name: "hubspot-contacts",
      providerId: "prov_hubspot",
      connectionId: null,
      entityType: "user",
      externalType: "contact",
      syncPreferences: { direction: "pull", conflictPolicy: "overwrite", scheduleIntervalMs: 3_600_000 },
    });
    expect(created.mapping.transformationRules).toHaveLength(8);
    expect(created.mapping.fieldMappings[0]).toEqual({ source: "properties.email", target: "email", required: true });
    const updated = await setMapping(ctx, { name: "hubspot-contacts", spec: spec({ connection: "conn_hubspot" }) });
    expect(updated).toMatchObject({
      action: "updated",
      mapping: { id: created.mapping.id, connectionId: "conn_hubspot" },
    });
    await expect(setMapping(ctx, { name: "x", spec: spec({ connection: "conn_salesforce" }) })).rejects.toMatchObject({
      kind: "usage",
      message: expect.stringContaining("not a connection of hubspot"),
    });
    await setMapping(ctx, { name: "sf-leads", spec: spec({ provider: "prov_salesforce", externalType: "lead" }) });
    expect((await listMappings(ctx.sql, { providerId: "prov_salesforce" })).map((m) => m.name)).toEqual(["sf-leads"]);
    expect((await listMappings(ctx.sql, { providerId: null })).map((m) => m.name)).toEqual([
      "hubspot-contacts",
      "sf-leads",
    ]);
    const audit = await ctx.sql.all<{ action: string }>(
      `SELECT "action" FROM "AuditEvent" WHERE "targetId" = ? ORDER BY "seq"`,
      [created.mapping.id],
    );
    expect(audit.map((a) => a.action)).toEqual(["mapping.create", "mapping.update"]);
  });

  it("maps a valid record through fields, every built-in rule and JSONata", async () => {
    const mapping = await findMapping(ctx.sql, "hubspot-contacts");
    const result = await applyMapping(mapping, {
      id: "901",
      properties: {
        email: "  Ana@Example.COM ",
        createdate: "31/01/2026",
        lifecyclestage: "customer",
        country: "fr",
        score: 7,
      },
    });
    expect(result).toEqual({
      valid: true,
      mappingId: mapping.id,
      issues: [],
      record: {
        email: "ana@example.com",
        name: { first: "(unknown)" },
        stage: "active",
        createdOn: "2026-01-31",
        country: "FR",
        score: 7,
        displayName: "(unknown) <ana@example.com>",
        source: "901",
      },
    });
    const defaults = await applyMapping(mapping, { properties: { email: "b@x.io", createdate: "01/02/2026" } });
    expect(defaults.record).toMatchObject({ country: "US", createdOn: "2026-02-01" });
  });

  it("reports every problem of an invalid record at once", async () => {
    const mapping = await findMapping(ctx.sql, "hubspot-contacts");
    const result = await applyMapping(mapping, {
      properties: {
        email: "not-an-email",
        createdate: "2026-31-01",
        lifecyclestage: "churned",
        country: "es",
        score: "high",
      },
    });
    expect(result.valid).toBe(false);
    expect(result.record).toBeNull();
    expect(result.issues).toEqual([
      { path: "createdOn", message: '"2026-31-01" is not a date in the format dd/MM/yyyy' },
      { path: "stage", message: '"churned" is not one of lead, customer' },
      { path: "email", message: "must be an email address" },
      { path: "country", message: 'is "ES", not one of "US", "FR", "DE"' },
      { path: "score", message: "is string, not number" },
    ]);
    expect((await applyMapping(mapping, { properties: {} })).issues.map((i) => i.path)).toEqual([
      "properties.email",
      "properties.createdate",
    ]);
    expect((await applyMapping(mapping, [1, 2])).issues).toEqual([
      { path: "", message: "the record must be a JSON object" },
    ]);
  });

  it("refuses a mapping whose rules cannot work, saving nothing, and deletes", async () => {
    await expect(
      setMapping(ctx, {
        name: "bad",
        spec: spec({ validationRules: [{ kind: "pattern", field: "email", pattern: "([" }] }),
      }),
    ).rejects.toMatchObject({ kind: "usage", message: expect.stringContaining("validationRules.0.pattern") });
    await expect(
      setMapping(ctx, {
        name: "bad",
        spec: spec({ transformationRules: [{ kind: "jsonata", field: "x", expression: "$$$(" }] }),
      }),
    ).rejects.toMatchObject({ kind: "usage", message: expect.stringContaining("transformationRules.0.expression") });
    expect(
      MappingSpecSchema.safeParse({ ...CONTACTS, transformationRules: [{ kind: "rot13", field: "email" }] }).success,
    ).toBe(false);
    expect(
      MappingSpecSchema.safeParse({ ...CONTACTS, fieldMappings: [{ source: "__proto__.x", target: "y" }] }).success,
    ).toBe(false);
    await expect(findMapping(ctx.sql, "bad")).rejects.toMatchObject({ kind: "not_found" });
    await deleteMapping(ctx, { idOrName: "sf-leads", dryRun: false });
    await expect(findMapping(ctx.sql, "sf-leads")).rejects.toMatchObject({ kind: "not_found" });
  });
});
