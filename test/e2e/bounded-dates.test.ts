import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROVIDERS, tempDir, tempPostgres } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

// Issue 12 item 8: a duration past 100 years is a typo. It used to store a "+021192-…" year on
// SQLite (text that sorts before today, so `keys expire` expired the key at once) and fail with an
// internal error on PostgreSQL or for 99999999999d.
describe.each(PROVIDERS)("durations and dates are bounded at 100 years (%s)", (provider) => {
  const home = tempDir();
  const cleanups: (() => Promise<void>)[] = [async () => home.dispose()];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  async function env(): Promise<Record<string, string>> {
    const base = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data"), INTG_ACTOR: "e2e" };
    if (provider === "sqlite") return base;
    const pg = await tempPostgres();
    cleanups.push(() => pg.dispose());
    expect((await intg(["db", "migrate", "--db", pg.url])).code).toBe(0);
    return { ...base, INTG_DATABASE_URL: pg.url };
  }

  it("refuses 1000000w and 99999999999d with exit 2 and a message, writing nothing; 100 years is kept", async () => {
    const e = await env();
    const refusals = [
      ["keys", "create", "--name", "far", "--expires-in", "1000000w"],
      ["keys", "create", "--name", "far", "--expires-in", "99999999999d"],
      ["keys", "create", "--name", "far", "--expires-at", "9999-12-31"],
      ["keys", "metrics", "--since", "99999999999d"],
      ["keys", "list", "--unused-for", "99999999999d"],
      ["audit", "list", "--since", "1000000w"],
    ];
    for (const args of refusals) {
      const r = await intg(args, { env: e });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/100 years/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(JSON.parse((await intg(["keys", "list", "--json"], { env: e })).stdout)).toEqual([]);

    const created = await intg(["keys", "create", "--name", "century", "--expires-in", "36500d", "--json"], { env: e });
    expect(created.code, created.stderr).toBe(0);
    const { id, expiresAt } = JSON.parse(created.stdout);
    expect(new Date(expiresAt).getUTCFullYear()).toBeGreaterThanOrEqual(2126);

    const rotate = await intg(["keys", "rotate", id, "--grace", "99999999999d"], { env: e });
    expect(rotate.code, rotate.stderr).toBe(2);
    expect(rotate.stderr).toContain("--grace");

    const expired = await intg(["keys", "expire", "--json"], { env: e });
    expect(expired.code, expired.stderr).toBe(0);
    expect(JSON.parse(expired.stdout)).toEqual([]);
    const [key] = JSON.parse((await intg(["keys", "list", "--json"], { env: e })).stdout);
    expect(key).toMatchObject({ id, status: "ACTIVE", expiresAt });
  }, 60_000);
});
