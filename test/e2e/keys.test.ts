import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PG_BASE_URL, tempDir, tempPostgres, type TempDb } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

function embedded() {
  const home = tempDir();
  return { home, env: { HOME: home.path, XDG_DATA_HOME: join(home.path, "data"), INTG_ACTOR: "e2e" } };
}

describe("intg keys through bin/intg", () => {
  const { home, env } = embedded();
  afterAll(() => home.dispose());

  it("creates a key printed once on stdout, verifies it from stdin, and refuses it with exit 4 once revoked", async () => {
    const created = await intg(
      ["keys", "create", "--name", "deploy", "--scopes", "read,webhooks", "--expires-in", "30d", "--meta", "team=core"],
      { env },
    );
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^intg_live_[0-9A-Za-z]{49}$/);

    const ok = await intg(["keys", "verify", "--scope", "webhooks", "--json"], { env, input: key + "\n" });
    expect(ok.code).toBe(0);
    const result = JSON.parse(ok.stdout);
    expect(result).toMatchObject({ valid: true, outcome: "VALID", scopes: ["READ", "WEBHOOKS"] });

    const list = JSON.parse((await intg(["keys", "list", "--json"], { env })).stdout);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: result.keyId, useCount: 1, metadata: { team: "core" } });
    expect(JSON.stringify(list)).not.toContain(key);

    expect((await intg(["keys", "revoke", result.keyId], { env })).code).toBe(2); // not interactive: needs --yes
    expect((await intg(["keys", "revoke", result.keyId, "--yes", "--reason", "test"], { env })).code).toBe(0);
    const refused = await intg(["keys", "verify", "--json"], { env: { ...env, INTG_KEY: key } });
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stdout).outcome).toBe("REVOKED");
  });

  it("exits 2 and writes nothing on bad input; exits 4 on a well-formed wrong key", async () => {
    const { home: h, env: e } = embedded();
    try {
      const bad = [
        ["keys", "create", "--name", "x", "--scopes", "read,superuser"],
        ["keys", "create", "--name", "x", "--expires-in", "ninety days"],
        ["keys", "create", "--name", "x", "--env", "prod"],
        ["keys", "verify", "intg_live_abc"],
        ["keys", "verify", "--key", "intg_live_abc"],
        ["keys", "identify", "intg_live_abc"],
      ];
      for (const args of bad) {
        const r = await intg(args, { env: e });
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stderr).toMatch(/^intg: /);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      const empty = await intg(["keys", "verify"], { env: e, input: "" });
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain("empty");
      expect(JSON.parse((await intg(["keys", "list", "--json"], { env: e })).stdout)).toEqual([]);

      const made = await intg(["keys", "create", "--name", "a", "--env", "test"], { env: e });
      const key = made.stdout.trim();
      const wellFormed = await intg(["keys", "identify"], { env: e, input: key });
      expect(wellFormed.code).toBe(0);
      const other = await intg(["keys", "create", "--name", "b", "--env", "test"], {
        env: { ...e, XDG_DATA_HOME: join(h.path, "other") },
      });
      const notHere = await intg(["keys", "verify"], { env: e, input: other.stdout });
      expect(notHere.code).toBe(4);
      expect(notHere.stderr).toContain("NOT_FOUND");
      const typo = await intg(["keys", "identify"], {
        env: e,
        input: key.slice(0, -1) + (key.endsWith("a") ? "b" : "a"),
      });
      expect(typo.code).toBe(4);
      expect(typo.stderr).toContain("checksum");
      const keyFile = join(h.path, "leaked.txt");
      writeFileSync(keyFile, key + "\n");
      const fromFile = await intg(["keys", "identify", "--key-file", keyFile, "--json"], { env: e });
      expect(fromFile.code, fromFile.stderr).toBe(0);
      expect(JSON.parse(fromFile.stdout)).toMatchObject({ wellFormed: true, environment: "test" });
      const inArgs = await intg(["keys", "identify", key], { env: e });
      expect(inArgs.code).toBe(2);
      expect(inArgs.stderr).toContain("--key-file");
      expect(inArgs.stdout + inArgs.stderr).not.toContain(key);
    } finally {
      h.dispose();
    }
  });
});

async function raceRotations(env: Record<string, string>) {
  const created = await intg(["keys", "create", "--name", "raced", "--json"], { env });
  expect(created.code, created.stderr).toBe(0);
  const { id } = JSON.parse(created.stdout);
  const runs = await Promise.all(
    Array.from({ length: 20 }, () => intg(["keys", "rotate", id, "--grace", "1h", "--json"], { env })),
  );
  const codes = runs.map((r) => r.code).sort();
  expect(
    codes.filter((c) => c === 0),
    runs.map((r) => r.stderr).join(""),
  ).toHaveLength(1);
  expect(codes.filter((c) => c === 6)).toHaveLength(19);
  const keys = JSON.parse((await intg(["keys", "list", "--json"], { env })).stdout);
  expect(keys.filter((k: { rotatedFromId: string | null }) => k.rotatedFromId === id)).toHaveLength(1);
}

describe("20 concurrent rotations of one key", () => {
  const { home, env } = embedded();
  afterAll(() => home.dispose());
  it("on SQLite: exactly one new key, the other 19 exit 6", () => raceRotations(env), 60_000);
});

describe.skipIf(!PG_BASE_URL)("20 concurrent rotations on PostgreSQL", () => {
  let pg: TempDb;
  afterAll(async () => pg?.dispose());
  it("exactly one new key, the other 19 exit 6", async () => {
    pg = await tempPostgres();
    expect((await intg(["db", "migrate", "--db", pg.url])).code).toBe(0);
    await raceRotations({ INTG_DATABASE_URL: pg.url });
  }, 60_000);
});
