import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROVIDERS, tempDb, tempDir, type TempDb } from "../helpers/databases.js";
import { startFakeProvider } from "../helpers/fake-provider.js";
import { intg } from "../helpers/spawn.js";

// Requests stay within their bounds (issue 13): a path given to a connection cannot take its
// credential outside the provider's base URL, and an endpoint URL cannot reach a private IPv4
// address spelled as IPv6. Through bin/intg, against a real HTTP server, on every database.

type Setup = { env: Record<string, string>; db?: TempDb };

async function environment(provider: "sqlite" | "postgresql", home: string): Promise<Setup> {
  const base = { HOME: home, XDG_DATA_HOME: join(home, "data"), INTG_ACTOR: "e2e" };
  if (provider === "sqlite") return { env: base };
  const db = await tempDb(provider);
  const env = { ...base, INTG_DATABASE_URL: db.url, INTG_MASTER_KEY: randomBytes(32).toString("base64") };
  expect((await intg(["db", "migrate"], { env })).code).toBe(0);
  return { env, db };
}

describe.each(PROVIDERS)("request bounds through bin/intg (%s)", (provider) => {
  const home = tempDir();
  afterAll(() => home.dispose());

  it("refuses paths leaving the base URL: exit 2, nothing sent, nothing logged", async () => {
    const { env, db } = await environment(provider, home.path);
    const token = `tok-${randomBytes(12).toString("hex")}`;
    const fake = await startFakeProvider();
    try {
      const run = (args: string[], input?: string) => intg(args, { env, input });
      const providerArgs = (slug: string, health: string) => [
        "providers",
        "create",
        "--slug",
        slug,
        "--name",
        slug,
        "--category",
        "other",
        "--base-url",
        `${fake.url}/api/v1`,
        "--auth",
        "bearer_token",
        "--health-path",
        health,
        "--allow-private-network",
      ];
      const created = await run([...providerArgs("api", "/health"), "--json"]);
      expect(created.code, created.stderr).toBe(0);
      const conn = await run(
        ["connections", "create", "--provider", "api", "--env", "production", "--name", "main", "--json"],
        token,
      );
      expect(conn.code, conn.stderr).toBe(0);
      const id = JSON.parse(conn.stdout).id as string;
      const ok = await run(["connections", "request", id, "GET", "/users?q=a/../b", "--json"]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(fake.requests.map((r) => r.url)).toEqual(["/api/v1/users?q=a/../b"]);
      const inside = await run(["connections", "request", id, "GET", "/items/./x/../y", "--json"]);
      expect(inside.code, inside.stderr).toBe(0);
      expect(fake.requests.at(-1)!.url).toBe("/api/v1/items/y");
      const hostile = [
        "/../x",
        "/../../nope",
        "/%2e%2e/x",
        "/%2E%2e/%2e%2E/x",
        "/a/../../x",
        "/..%2f..%2fadmin",
        "/%2e%2e%5cx",
        "//evil.example/x",
        "/\\evil.example/x",
        "/..\\x",
        "/.\t./x",
        "/api%2f..%2f..%2fx",
      ];
      for (const path of hostile) {
        const r = await run(["connections", "request", id, "GET", path]);
        expect(r.code, `${path}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(/nothing was sent/);
        expect(r.stderr).not.toContain(token);
      }
      for (const health of ["/../admin", "/%2e%2e/admin", "//evil.example/"]) {
        const bad = await run(providerArgs("bad", health));
        expect(bad.code, `${health}: ${bad.stderr}`).toBe(2);
        expect(bad.stderr).toMatch(/healthCheck\.path.*nothing was written/);
      }
      expect((await run(["providers", "show", "bad"])).code).toBe(5);
      const update = await run(["providers", "update", "api", "--health-path", "/v2/../../health"]);
      expect(update.code, update.stderr).toBe(2);
      const shown = JSON.parse((await run(["providers", "show", "api", "--json"])).stdout);
      expect(shown.connector.healthCheck.path).toBe("/health");
      const file = join(home.path, `${provider}-providers.json`);
      const resource = { path: "/..%2f..%2fcontacts", externalType: "contact" };
      const definition = {
        slug: "synced",
        name: "S",
        category: "crm",
        baseUrl: `${fake.url}/api/v1`,
        auth: "none",
        allowPrivateNetwork: true,
        resources: { contacts: resource },
      };
      writeFileSync(file, JSON.stringify({ format: "intg-providers", version: 1, providers: [definition] }));
      const imported = await run(["providers", "import", file]);
      expect(imported.code, imported.stderr).toBe(2);
      expect(imported.stderr).toMatch(/providers\[0\]\.resources\.contacts\.path/);
      expect((await run(["providers", "show", "synced"])).code).toBe(5);
      expect(fake.requests).toHaveLength(2);
      const analytics = await run(["connections", "analytics", id, "--since", "1h", "--json"]);
      expect(JSON.parse(analytics.stdout)[0]).toMatchObject({ requests: 2 });
    } finally {
      await fake.close();
      await db?.dispose();
    }
  });

  it("refuses endpoint URLs hiding a private IPv4 address in IPv6, and accepts public embeddings", async () => {
    const { env, db } = await environment(provider, join(home.path, "hooks"));
    try {
      const list = async () =>
        JSON.parse((await intg(["webhooks", "endpoints", "list", "--json"], { env })).stdout).length;
      const hostile = [
        "http://[::127.0.0.1]/",
        "http://[::ffff:0:7f00:1]/",
        "http://[2002:7f00:1::]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
        "http://[64:ff9b::10.0.0.1]/",
        "http://[64:ff9b:1::808:808]/",
        "http://[2002:a9fe:a9fe::]/latest/meta-data",
      ];
      for (const url of hostile) {
        const r = await intg(["webhooks", "endpoints", "create", "--url", url], { env });
        expect(r.code, `${url}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(/private, loopback, link-local or reserved/);
      }
      expect(await list()).toBe(0);
      const open = await intg(["webhooks", "endpoints", "create", "--url", "http://[2002:808:808::1]/hook", "--json"], {
        env,
      });
      expect(open.code, open.stderr).toBe(0);
      expect(await list()).toBe(1);
    } finally {
      await db?.dispose();
    }
  });
});
