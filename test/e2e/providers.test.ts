import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PG_BASE_URL, tempDir, tempPostgres, type TempDb } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

const home = tempDir();
const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data"), INTG_ACTOR: "e2e" };
const json = async (args: string[]) => {
  const r = await intg([...args, "--json"], { env });
  expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
};

describe("intg providers through bin/intg", () => {
  afterAll(() => home.dispose());

  it("lists templates, creates from one, updates, deprecates, exports and imports back (JSON and YAML)", async () => {
    const templates = await json(["providers", "templates"]);
    expect(templates.length).toBeGreaterThanOrEqual(10);
    const created = await json([
      "providers",
      "create",
      "--from-template",
      "github",
      "--slug",
      "github-ent",
      "--base-url",
      "https://github.example.com/api/v3",
    ]);
    expect(created).toMatchObject({
      slug: "github-ent",
      templateName: "github",
      baseUrl: "https://github.example.com/api/v3",
      connector: { auth: { type: "BEARER_TOKEN" } },
    });
    await json([
      "providers",
      "create",
      "--slug",
      "billing",
      "--name",
      "Billing",
      "--category",
      "payments",
      "--base-url",
      "https://billing.example.com",
      "--auth",
      "api-key",
      "--auth-name",
      "X-Billing-Key",
      "--health-path",
      "/health",
    ]);
    expect((await json(["providers", "update", "billing", "--health-status", "204"])).connector.healthCheck).toEqual({
      method: "GET",
      path: "/health",
      expectedStatus: 204,
    });
    expect((await json(["providers", "deprecate", "github-ent"])).status).toBe("DEPRECATED");
    expect((await json(["providers", "update", "github-ent", "--allow-private-network"])).config).toEqual({
      allowPrivateNetwork: true,
    });
    expect((await json(["providers", "update", "github-ent", "--name", "GHE"])).config).toEqual({
      allowPrivateNetwork: true,
    });
    expect((await json(["providers", "update", "github-ent", "--no-allow-private-network"])).config).toBeNull();
    expect((await json(["providers", "list"])).map((p: { slug: string }) => p.slug)).toEqual(["billing", "github-ent"]);
    expect((await json(["providers", "show", "billing"])).connector.auth).toEqual({
      type: "API_KEY",
      placement: "header",
      name: "X-Billing-Key",
    });

    for (const ext of ["json", "yaml"]) {
      const file = join(home.path, `providers.${ext}`);
      expect(await json(["providers", "export", "--out", file])).toEqual({ file, format: ext, providers: 2 });
      const text = readFileSync(file, "utf8");
      expect(text).toContain(ext === "json" ? '"format": "intg-providers"' : "format: intg-providers");
      expect(await json(["providers", "import", file])).toEqual({
        created: [],
        updated: ["billing", "github-ent"],
        dryRun: false,
      });
    }
    const yaml = join(home.path, "new.yml");
    writeFileSync(
      yaml,
      "- slug: acme\n  name: Acme\n  category: crm\n  baseUrl: https://api.acme.example\n  auth: bearer_token\n",
    );
    expect(await json(["providers", "import", yaml])).toMatchObject({ created: ["acme"] });
  });

  it("exits 2 and writes nothing on invalid input, naming the first invalid entry", async () => {
    const before = await json(["providers", "list"]);
    const file = join(home.path, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({
        format: "intg-providers",
        version: 1,
        providers: [
          { slug: "ok-one", name: "Ok", category: "crm", baseUrl: "https://ok.example", auth: "none" },
          { slug: "bad", name: "Bad", category: "nonsense", baseUrl: "https://b.example", auth: "none" },
        ],
      }),
    );
    const yaml = join(home.path, "bad.yaml");
    writeFileSync(yaml, "- slug: [unclosed\n");
    const bad: [string[], RegExp][] = [
      [["providers", "import", file], /providers\[1\]\.category/],
      [["providers", "import", yaml], /not valid YAML/],
      [["providers", "import", join(home.path, "missing.json")], /Cannot read/],
      [
        [
          "providers",
          "create",
          "--slug",
          "x",
          "--name",
          "X",
          "--category",
          "crm",
          "--base-url",
          "ftp://x",
          "--auth",
          "none",
        ],
        /baseUrl/,
      ],
      [
        [
          "providers",
          "create",
          "--slug",
          "Bad Slug",
          "--name",
          "X",
          "--category",
          "crm",
          "--base-url",
          "https://x.example",
          "--auth",
          "none",
        ],
        /slug/,
      ],
      [["providers", "create", "--name", "X"], /--from-template/],
      [
        [
          "providers",
          "create",
          "--slug",
          "local",
          "--name",
          "X",
          "--category",
          "crm",
          "--base-url",
          "http://127.0.0.1:8080",
          "--auth",
          "none",
        ],
        /private, loopback/,
      ],
      [
        [
          "providers",
          "create",
          "--from-template",
          "salesforce",
          "--slug",
          "sf",
          "--base-url",
          "https://sf.example",
          "--token-url",
          "http://169.254.169.254/token",
        ],
        /auth\.tokenUrl: 169\.254\.169\.254/,
      ],
      [["providers", "update", "billing", "--auth", "oauth2_client_credentials"], /auth\.tokenUrl/],
      [["providers", "update", "billing", "--rate-limit", "many"], /whole number/],
    ];
    for (const [args, message] of bad) {
      const r = await intg(args, { env });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect((await intg(["providers", "show", "nope"], { env })).code).toBe(5);
    expect((await intg(["providers", "create", "--from-template", "nope"], { env })).code).toBe(5);
    expect((await intg(["providers", "create", "--from-template", "github", "--slug", "billing"], { env })).code).toBe(
      6,
    );
    expect(await json(["providers", "list"])).toEqual(before);
  });
});

describe.skipIf(!PG_BASE_URL)("intg providers on PostgreSQL", () => {
  let pg: TempDb;
  const dir = tempDir();
  afterAll(async () => {
    await pg?.dispose();
    dir.dispose();
  });

  it("creates from templates, exports YAML, and imports it back into another database unchanged", async () => {
    pg = await tempPostgres();
    // Provider configuration is authenticated under the master key (DESIGN §6): a shared database needs it set.
    const env = { HOME: dir.path, INTG_DATABASE_URL: pg.url, INTG_MASTER_KEY: randomBytes(32).toString("base64") };
    const run = async (args: string[], e: Record<string, string> = env) => {
      const r = await intg(args, { env: e });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    await run(["db", "migrate"]);
    const keyless = await intg(["providers", "create", "--from-template", "stripe"], {
      env: { HOME: dir.path, INTG_DATABASE_URL: pg.url },
    });
    expect(keyless.code).toBe(4);
    expect(keyless.stderr).toContain("INTG_MASTER_KEY");
    for (const t of ["stripe", "salesforce", "shopify"]) await run(["providers", "create", "--from-template", t]);
    const file = join(dir.path, "all.yaml");
    await run(["providers", "export", "--out", file]);
    const other = { ...env, INTG_DATABASE_URL: `file:${join(dir.path, "other.db")}` };
    await run(["db", "migrate"], other);
    expect(JSON.parse(await run(["providers", "import", file, "--json"], other))).toEqual({
      created: ["salesforce", "shopify", "stripe"],
      updated: [],
      dryRun: false,
    });
    const strip = (list: Record<string, unknown>[]) =>
      list.map(({ id: _id, createdAt: _c, updatedAt: _u, ...rest }) => rest);
    expect(strip(JSON.parse(await run(["providers", "list", "--json"], other)))).toEqual(
      strip(JSON.parse(await run(["providers", "list", "--json"]))),
    );
  });
});
