import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PG_BASE_URL, tempDir, tempPostgres, type TempDb } from "../helpers/databases.js";
import { startFakeProvider } from "../helpers/fake-provider.js";
import { intg } from "../helpers/spawn.js";

// Nango's most reported bug is two workers refreshing one token at once: the provider rotates the
// refresh token on the first refresh, and the second is refused. Here two `intg connections
// request` processes start together against a token endpoint that rotates refresh tokens and
// answers slowly: exactly one refresh may happen, and both requests must succeed.
async function race(env: Record<string, string>): Promise<void> {
  const fake = await startFakeProvider({
    oauth: { clientId: "app", refreshToken: "rt-start", rotateRefreshToken: true, delayMs: 400 },
  });
  try {
    const run = (args: string[], input?: string) => intg(args, { env, input });
    const provider = await run([
      "providers",
      "create",
      "--slug",
      "sheets",
      "--name",
      "Sheets",
      "--category",
      "other",
      "--base-url",
      fake.url,
      "--auth",
      "oauth2_refresh_token",
      "--token-url",
      fake.tokenUrl,
      "--health-path",
      "/health",
      "--allow-private-network",
    ]);
    expect(provider.code, provider.stderr).toBe(0);
    const created = await run(
      ["connections", "create", "--provider", "sheets", "--env", "production", "--name", "main", "--json"],
      JSON.stringify({ clientId: "app", refreshToken: "rt-start" }),
    );
    expect(created.code, created.stderr).toBe(0);
    const id = JSON.parse(created.stdout).id;
    const [a, b] = await Promise.all([
      run(["connections", "request", id, "GET", "/rows", "--json"]),
      run(["connections", "request", id, "GET", "/rows", "--json"]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(fake.grants.map((g) => g.grantType)).toEqual(["refresh_token"]);
    const answer = JSON.parse(a.stdout);
    expect(answer).toMatchObject({ status: 200, method: "GET", url: `${fake.url}/rows`, body: { ok: true } });
    for (const out of [a.stdout, a.stderr, b.stdout, b.stderr, created.stdout]) {
      for (const token of [...fake.issued, "rt-start", fake.refreshToken!]) expect(out).not.toContain(token);
    }
    // The check uses the cached token: still one grant.
    expect((await run(["connections", "check", id])).code).toBe(0);
    expect(fake.grants).toHaveLength(1);
  } finally {
    await fake.close();
  }
}

describe("OAuth2 refresh across processes", () => {
  const home = tempDir();
  afterAll(() => home.dispose());

  it("on SQLite: two processes, one refresh", async () => {
    await race({ HOME: home.path, XDG_DATA_HOME: join(home.path, "data") });
  });

  describe.skipIf(!PG_BASE_URL)("on PostgreSQL", () => {
    let pg: TempDb;
    afterAll(async () => pg?.dispose());
    it("two processes, one refresh", async () => {
      pg = await tempPostgres();
      const env = { HOME: home.path, INTG_DATABASE_URL: pg.url, INTG_MASTER_KEY: randomBytes(32).toString("base64") };
      expect((await intg(["db", "migrate"], { env })).code).toBe(0);
      await race(env);
    });
  });
});
