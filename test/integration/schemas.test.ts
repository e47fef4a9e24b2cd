// DESIGN §4: one source of truth for the models, two schemas that differ only in their header, and
// two migration folders that each produce exactly their schema.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { listMigrationFiles, migrationsList } from "../../src/db/migrations.js";
import { diffToSchema } from "../../src/db/schema-engine.js";
// @ts-expect-error: a plain .mjs build script, without type declarations
import { header, MARKER } from "../../scripts/write-schemas.mjs";
import { PG_BASE_URL } from "../helpers/databases.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const models = readFileSync(join(root, "prisma/models.prisma"), "utf8");
const schema = (provider: string) => readFileSync(join(root, "prisma", provider, "schema.prisma"), "utf8");

/** Model and enum names, in order of declaration. */
function declarations(text: string): string[] {
  return [...text.matchAll(/^(model|enum)\s+(\w+)\s*\{/gm)].map((m) => `${m[1]} ${m[2]}`);
}

describe("the two Prisma schemas", () => {
  it.each(["sqlite", "postgresql"])("%s is its header, the marker and prisma/models.prisma, unchanged", (provider) => {
    const text = schema(provider);
    const at = text.indexOf(MARKER);
    expect(at).toBeGreaterThan(0);
    expect(text.slice(0, at)).toBe(header(provider));
    expect(text.slice(at + MARKER.length)).toBe(models);
  });

  it("declare the same models and enums", () => {
    const sqlite = declarations(schema("sqlite"));
    expect(sqlite.length).toBeGreaterThan(20);
    expect(declarations(schema("postgresql"))).toEqual(sqlite);
    expect(declarations(models)).toEqual(sqlite);
  });
});

describe("the two migration folders", () => {
  it("hold the same migration names, each with its lockfile", () => {
    const sqlite = listMigrationFiles("sqlite").map((m) => m.name);
    expect(sqlite.length).toBeGreaterThan(0);
    expect(sqlite[0]).toMatch(/^\d{14}_init$/);
    expect(listMigrationFiles("postgresql").map((m) => m.name)).toEqual(sqlite);
    expect(migrationsList("sqlite").lockfile.content).toContain('provider = "sqlite"');
    expect(migrationsList("postgresql").lockfile.content).toContain('provider = "postgresql"');
  });
});

/** The folder with its last statement (an index, a foreign key) left out: the diff must notice. */
function withoutLastStatement(provider: "sqlite" | "postgresql") {
  const list = migrationsList(provider);
  // The first migration's last statement: later migrations may rebuild tables, never that one.
  const last = list.migrationDirectories[0]!;
  const sql = (last.migrationFile.content as { value: string }).value;
  const cut = sql.trimEnd().lastIndexOf("\n\n");
  const dropped = sql.slice(cut).trim();
  const dirs = [
    {
      ...last,
      migrationFile: { ...last.migrationFile, content: { tag: "ok" as const, value: sql.slice(0, cut) + "\n" } },
    },
    ...list.migrationDirectories.slice(1),
  ];
  return { list: { ...list, migrationDirectories: dirs }, dropped };
}

const objectName = (statement: string) => /(?:INDEX|CONSTRAINT) "([^"]+)"/.exec(statement)?.[1];

describe("the sqlite migrations", () => {
  it("produce exactly the sqlite schema (an empty diff)", async () => {
    expect(await diffToSchema("sqlite", ":memory:", migrationsList("sqlite"), schema("sqlite"))).toBe("");
  });

  it("would show a missing index or foreign key (the diff really compares)", async () => {
    const { list, dropped } = withoutLastStatement("sqlite");
    expect(objectName(dropped)).toBeTruthy();
    expect(await diffToSchema("sqlite", ":memory:", list, schema("sqlite"))).toContain(objectName(dropped)!);
  });
});

describe.skipIf(!PG_BASE_URL)("the postgresql migrations", () => {
  const shadowDatabases = async () => {
    const client = new pg.Client({ connectionString: PG_BASE_URL });
    await client.connect();
    try {
      return (await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'intg_shadow_%'")).rows.length;
    } finally {
      await client.end();
    }
  };

  it("produce exactly the postgresql schema (an empty diff), leaving no shadow database", async () => {
    const before = await shadowDatabases();
    expect(await diffToSchema("postgresql", PG_BASE_URL!, migrationsList("postgresql"), schema("postgresql"))).toBe("");
    expect(await shadowDatabases()).toBe(before);
  });

  it("would show a missing index or foreign key (the diff really compares)", async () => {
    const { list, dropped } = withoutLastStatement("postgresql");
    expect(objectName(dropped)).toBeTruthy();
    expect(await diffToSchema("postgresql", PG_BASE_URL!, list, schema("postgresql"))).toContain(objectName(dropped)!);
  });
});
