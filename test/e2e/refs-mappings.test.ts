import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDERS } from "../helpers/databases.js";
import { seededBin } from "../helpers/ref-fixtures.js";

describe.each(PROVIDERS)("intg refs mappings and transform through bin/intg on %s", (provider) => {
  const { run, setup, dispose, home: homePath } = seededBin(provider);
  beforeAll(setup);
  afterAll(dispose);

  it("sets a mapping from flags and a file, transforms records (exit 2 with every problem), lists and deletes", async () => {
    const file = join(homePath, `mapping-${provider}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        transformationRules: [{ kind: "lowercase", field: "email" }],
        validationRules: [
          { kind: "pattern", field: "email", pattern: "@" },
          { kind: "required", field: "name" },
        ],
      }),
    );
    const set = await run([
      "refs",
      "mappings",
      "set",
      "contacts",
      "--provider",
      "hubspot",
      "--entity-type",
      "user",
      "--external-type",
      "contact",
      "--field",
      "properties.email=email!",
      "--field",
      "properties.name=name",
      "--file",
      file,
      "--json",
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      name: "contacts",
      providerId: "prov_hubspot",
      fieldMappings: [
        { source: "properties.email", target: "email", required: true },
        { source: "properties.name", target: "name", required: false },
      ],
    });

    const ok = await run(
      ["refs", "transform", "--mapping", "contacts"],
      JSON.stringify({ properties: { email: "Ana@X.io", name: "Ana" } }),
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ email: "ana@x.io", name: "Ana" });
    const bad = await run(
      ["refs", "transform", "--mapping", "contacts"],
      JSON.stringify({ properties: { email: "nope" } }),
    );
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("email: does not match @");
    expect(bad.stderr).toContain("name: is required");
    const badJson = await run(["refs", "transform", "--mapping", "contacts", "--json"], JSON.stringify({}));
    expect(badJson.code).toBe(2);
    expect(JSON.parse(badJson.stdout)).toMatchObject({
      valid: false,
      record: null,
      issues: [
        { path: "properties.email", message: "is required (maps to email)" },
        { path: "name", message: "is required" },
      ],
    });
    expect((await run(["refs", "transform", "--mapping", "contacts"], "{oops")).stderr).toMatch(/not valid JSON/);

    const invalid = await run([
      "refs",
      "mappings",
      "set",
      "broken",
      "--provider",
      "hubspot",
      "--entity-type",
      "user",
      "--external-type",
      "contact",
      "--field",
      "a",
    ]);
    expect(invalid.code).toBe(2);
    const noProvider = await run([
      "refs",
      "mappings",
      "set",
      "broken",
      "--entity-type",
      "user",
      "--external-type",
      "contact",
      "--field",
      "a=b",
    ]);
    expect(noProvider.code).toBe(2);
    expect(noProvider.stderr).toMatch(/needs provider/);
    const list = JSON.parse((await run(["refs", "mappings", "list", "--json"])).stdout);
    expect(list.map((m: { name: string }) => m.name)).toEqual(["contacts"]);
    expect((await run(["refs", "mappings", "delete", "contacts"])).code).toBe(2); // needs --yes
    expect((await run(["refs", "mappings", "delete", "contacts", "--yes"])).code).toBe(0);
    expect((await run(["refs", "mappings", "show", "contacts"])).code).toBe(5);
  });
});
