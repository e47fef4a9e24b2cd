import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PG_BASE_URL, tempDir, tempPostgres, type TempDb } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

// These spawn the built bin/intg, as an operator or a CI job would.

describe("intg without a database", () => {
  it("--version, help exit-codes and keys --help work with an unusable database URL", async () => {
    const env = { INTG_DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none" };
    const version = await intg(["--version"], { env });
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const codes = await intg(["help", "exit-codes"], { env });
    expect(codes.code).toBe(0);
    expect(codes.stdout).toContain("130");
    const keys = await intg(["keys", "--help"], { env });
    expect(keys.code).toBe(0);
    expect(keys.stdout).toContain("Usage: intg keys");
  });

  it("exits 2 on an unknown command or flag, with a one-line hint", async () => {
    const cmd = await intg(["frobnicate"]);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr.trim().split("\n")).toEqual([
      "intg: Unknown command 'frobnicate'",
      "Run 'intg --help' for usage.",
    ]);
    const flag = await intg(["db", "status", "--nope"]);
    expect(flag.code).toBe(2);
  });

  it("exits 1 naming the host when PostgreSQL cannot be reached, without a stack trace", async () => {
    const r = await intg(["db", "status", "--db", "postgresql://postgres@127.0.0.1:1/intg"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("127.0.0.1:1");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const json = await intg(["db", "status", "--json", "--db", "postgresql://postgres@127.0.0.1:1/intg"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr).error.code).toBe("DATABASE_UNAVAILABLE");
  });
});

describe("the embedded default database", () => {
  const home = tempDir();
  afterAll(() => home.dispose());

  it("is created under XDG_DATA_HOME and migrated on first use; db status then reports it up to date", async () => {
    const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data") };
    const first = await intg(["db", "status", "--json"], { env });
    expect(first.code, first.stderr).toBe(0);
    const status = JSON.parse(first.stdout);
    expect(status).toMatchObject({
      provider: "sqlite",
      url: `file:${join(home.path, "data", "intg", "intg.db")}`,
      pending: [],
      upToDate: true,
    });
    expect(status.applied.length).toBeGreaterThan(0);
    expect(first.stderr).toContain("Migrated the embedded database");

    const again = await intg(["db", "status"], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain("Migrated");
    expect(again.stdout).toContain(status.applied[0].name);

    const info = JSON.parse((await intg(["db", "info", "--json"], { env })).stdout);
    expect(info).toMatchObject({
      provider: "sqlite",
      source: "default",
      embedded: true,
      pendingMigrations: 0,
      schemaVersion: status.applied.at(-1).name,
    });
  });

  it("falls back to ~/.local/share without XDG_DATA_HOME", async () => {
    const r = await intg(["db", "info", "--json"], { env: { HOME: home.path } });
    expect(JSON.parse(r.stdout).url).toBe(`file:${join(home.path, ".local", "share", "intg", "intg.db")}`);
  });
});

describe("an explicit SQLite file", () => {
  const dir = tempDir();
  afterAll(() => dir.dispose());

  it("is not migrated implicitly: status exits 8 until `db migrate`", async () => {
    const db = `file:${join(dir.path, "team.db")}`;
    const before = await intg(["db", "status", "--json", "--db", db]);
    expect(before.code).toBe(8);
    expect(JSON.parse(before.stdout).pending.length).toBeGreaterThan(0);
    expect(JSON.parse(before.stderr).error.code).toBe("MIGRATIONS_PENDING");

    const dry = await intg(["db", "migrate", "--dry-run", "--json", "--db", db]);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, upToDate: false });
    expect((await intg(["db", "status", "--db", db])).code).toBe(8);

    const migrate = await intg(["db", "migrate", "--json", "--db", db]);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(JSON.parse(migrate.stdout).applied).toEqual(JSON.parse(before.stdout).pending);
    expect((await intg(["db", "status", "--db", db])).code).toBe(0);
    const twice = await intg(["db", "migrate", "--json", "--db", db]);
    expect(JSON.parse(twice.stdout)).toMatchObject({ applied: [], upToDate: true });
  });
});

describe.skipIf(!PG_BASE_URL)("PostgreSQL", () => {
  let pg: TempDb;
  afterAll(async () => pg?.dispose());

  it("db migrate creates the schema; db status and db info report it; the password never shows", async () => {
    pg = await tempPostgres();
    const env = { INTG_DATABASE_URL: pg.url };
    expect((await intg(["db", "status"], { env })).code).toBe(8);
    const migrate = await intg(["db", "migrate"], { env });
    expect(migrate.code, migrate.stderr).toBe(0);
    expect((await intg(["db", "status"], { env })).code).toBe(0);
    const info = JSON.parse((await intg(["db", "info", "--json"], { env })).stdout);
    expect(info).toMatchObject({
      provider: "postgresql",
      source: "INTG_DATABASE_URL",
      embedded: false,
      pendingMigrations: 0,
    });

    const withPassword = new URL(pg.url);
    withPassword.password = "hunter2";
    const shown = await intg(["db", "info", "--json", "--db", withPassword.toString()]);
    expect(shown.stdout + shown.stderr).not.toContain("hunter2");
  });
});
