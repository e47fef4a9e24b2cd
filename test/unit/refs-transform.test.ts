import { describe, expect, it } from "vitest";
import { applyMapping } from "../../src/services/refs/transform.js";
import type { IntegrationMappingInfo } from "../../src/types/integration/external-reference.types.js";

const mapping = (over: Partial<IntegrationMappingInfo>): IntegrationMappingInfo => ({
  id: "map_1",
  name: "m",
  providerId: "prov_1",
  connectionId: null,
  entityType: "user",
  externalType: "contact",
  fieldMappings: [{ source: "a", target: "a", required: false }],
  transformationRules: [],
  validationRules: [],
  syncPreferences: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...over,
});

describe("applyMapping", () => {
  it("maps the whole record with a JSONata rule without a field, reading $source", async () => {
    const m = mapping({
      transformationRules: [{ kind: "jsonata", field: null, expression: '{"id": $source.id, "tags": [a, "x"]}' }],
    });
    expect(await applyMapping(m, { id: 7, a: "y" })).toMatchObject({
      valid: true,
      record: { id: 7, tags: ["y", "x"] },
    });
    const notObject = mapping({ transformationRules: [{ kind: "jsonata", field: null, expression: "a" }] });
    expect((await applyMapping(notObject, { a: 1 })).issues).toEqual([
      { path: "", message: "the expression a must give an object" },
    ]);
    const failing = mapping({ transformationRules: [{ kind: "jsonata", field: "b", expression: "$number('x')" }] });
    expect((await applyMapping(failing, { a: 1 })).issues[0]).toMatchObject({
      path: "b",
      message: expect.stringContaining("failed"),
    });
  });

  it.each([
    ["keep", "zz", "zz"],
    ["null", "zz", null],
    ["keep", "p", "pro"],
  ] as const)("enum_map otherwise %s maps %s to %j", async (otherwise, from, to) => {
    const m = mapping({ transformationRules: [{ kind: "enum_map", field: "a", map: { p: "pro" }, otherwise }] });
    expect((await applyMapping(m, { a: from })).record).toEqual({ a: to });
  });

  it("converts dates to and from epochs, and refuses a rule on the wrong kind of value", async () => {
    const toUnix = mapping({ transformationRules: [{ kind: "date_format", field: "a", from: null, to: "unix_ms" }] });
    expect((await applyMapping(toUnix, { a: "2026-01-02T03:04:05Z" })).record).toEqual({ a: 1767323045000 });
    const fromUnix = mapping({ transformationRules: [{ kind: "date_format", field: "a", from: "unix", to: "iso" }] });
    expect((await applyMapping(fromUnix, { a: "1767323045" })).record).toEqual({ a: "2026-01-02T03:04:05.000Z" });
    const trim = mapping({ transformationRules: [{ kind: "trim", field: "a" }] });
    expect((await applyMapping(trim, { a: 5 })).issues).toEqual([{ path: "a", message: "is number, not text (trim)" }]);
    expect((await applyMapping(trim, {})).valid).toBe(true); // absent values are left to the validation rules
  });

  it("checks lengths and types of lists, with the rule's own message when it has one", async () => {
    const m = mapping({
      validationRules: [
        { kind: "length", field: "a", min: 1, max: 2 },
        { kind: "type", field: "a", type: "array", message: "a must be a list" },
      ],
    });
    expect((await applyMapping(m, { a: [1, 2, 3] })).issues).toEqual([
      { path: "a", message: "has length 3, not 1..2" },
    ]);
    expect((await applyMapping(m, { a: 1 })).issues).toEqual([
      { path: "a", message: "has no length (not text or a list)" },
      { path: "a", message: "a must be a list" },
    ]);
    expect((await applyMapping(m, { a: [1] })).valid).toBe(true);
  });
});
