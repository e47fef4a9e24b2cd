// Reading and applying migrations on a real SQLite file and, when INTG_TEST_DATABASE_URL is set, a
// real PostgreSQL database: what `intg db status` and `intg db migrate` stand on.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseError } from "../../src/errors.js";
import { applyPendingMigrations, listMigrationFiles, readMigrationState } from "../../src/db/migrations.js";
import { schemaEngineStats } from "../../src/db/schema-engine.js";
import { parseDbUrl, type DbTarget } from "../../src/db/url.js";
import { PG_BASE_URL, tempDir, tempPostgres, type TempDb } from "../helpers/databases.js";

const NAMES = listMigrationFiles("sqlite").map((m) => m.name);
const TABLES = [
  "ApiKey",
  "ExternalApiRequest",
  "IntegrationSecret",
  "Webhook",
  "WebhookEndpoint",
  "WebhookEvent",
  "WebhookDelivery",
  "IntegrationProvider",
  "IntegrationConnection",
  "IntegrationMapping",
  "ExternalShareLink",
];
const ENUMS = [
  "ApiKeyStatus",
  "ApiKeyScope",
  "TokenType",
  "RetentionPolicy",
  "DeliveryStatus",
  "DeliveryChannel",
  "IntegrationCategory",
  "IntegrationConnectionStatus",
  "IntegrationProviderStatus",
  "IntegrationEnvironment",
  "AuthenticationType",
];

const target = (url: string): DbTarget => parseDbUrl(url, "--db", process.cwd());

/** Runs one statement (with `?` placeholders) on the test database with the raw driver, as an operator might. */
type Exec = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

// Each test file runs in a fresh process, so nothing has loaded the engine before this runs.
it("reading the state loads no schema engine", async () => {
  const dir = tempDir();
  try {
    await readMigrationState(target(`file:${join(dir.path, "absent.db")}`));
    expect(schemaEngineStats().wasmLoaded).toBe(false);
  } finally {
    dir.dispose();
  }
});

it("is the only way into the schema engine, and imports it dynamically", () => {
  const src = fileURLToPath(new URL("../../src", import.meta.url));
  const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter(
    (f) => f.endsWith(".ts") && !f.includes("generated"),
  );
  const engineFiles = new Set(
    ["db/schema-engine.ts", "db/schema-engine-adapters.ts"].map((f) => join(...f.split("/"))),
  );
  for (const file of files.filter((f) => !engineFiles.has(f))) {
    const text = readFileSync(join(src, file), "utf8");
    // Type-only imports vanish when compiled; a value import would load the engine with the module.
    expect(text, file).not.toMatch(/^import\s+(?!type\b)[^;]*from\s+"[^"]*(schema-engine|schema_engine)[^"]*"/m);
  }
});

describe("on SQLite", () => {
  const dir = tempDir();
  const file = join(dir.path, "nested", "deeper", "intg.db");
  const db = target(`file:${file}`);
  const exec: Exec = async (sql, params = []) => {
    const conn = new Database(file);
    try {
      const stmt = conn.prepare(sql);
      return stmt.reader ? (stmt.all(...params) as Record<string, unknown>[]) : (stmt.run(...params), []);
    } finally {
      conn.close();
    }
  };
  afterAll(() => dir.dispose());

  it("counts a file that does not exist yet as everything pending, without creating it", async () => {
    expect(NAMES.length).toBeGreaterThan(0);
    expect(await readMigrationState(db)).toEqual({ applied: [], pending: NAMES, drifted: [] });
    expect(existsSync(file)).toBe(false);
    expect(existsSync(join(dir.path, "nested"))).toBe(false);
  });

  it("takes turns when two callers migrate the same new file at once", async () => {
    const results = await Promise.all([applyPendingMigrations(db), applyPendingMigrations(db)]);
    expect(results.flat().sort()).toEqual(NAMES);
    expect(existsSync(`${file}.migrating`)).toBe(false);
  });

  it("puts the file in WAL mode", async () => {
    expect(await exec("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
  });

  sharedChecks(db, exec);
});

describe.skipIf(!PG_BASE_URL)("on PostgreSQL", () => {
  let temp: TempDb;
  let db: DbTarget;
  const exec: Exec = async (sql, params = []) => {
    const client = new pg.Client({ connectionString: temp.url });
    await client.connect();
    try {
      let n = 0;
      return (
        await client.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        )
      ).rows;
    } finally {
      await client.end();
    }
  };
  beforeAll(async () => {
    temp = await tempPostgres();
    db = target(temp.url);
  });
  afterAll(async () => temp?.dispose());

  it("counts an empty database as everything pending, then applies them", async () => {
    expect(await readMigrationState(db)).toEqual({ applied: [], pending: NAMES, drifted: [] });
    expect(await applyPendingMigrations(db)).toEqual(NAMES);
  });

  it("creates the eleven core tables and eleven enum types", async () => {
    const tables = await exec(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY(?)",
      [TABLES],
    );
    expect(tables.map((r) => r.table_name).sort()).toEqual([...TABLES].sort());
    const enums = await exec("SELECT typname FROM pg_type WHERE typtype = 'e' AND typname = ANY(?)", [ENUMS]);
    expect(enums.map((r) => r.typname).sort()).toEqual([...ENUMS].sort());
  });

  it("names the database when it does not exist", async () => {
    const url = new URL(PG_BASE_URL!);
    url.pathname = "/intg_no_such_database";
    const error = await readMigrationState(target(url.toString())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toContain('"intg_no_such_database"');
  });

  sharedChecks(() => db, exec);
});

/** What must hold on either provider once the first call has migrated the database. */
function sharedChecks(dbOrGetter: DbTarget | (() => DbTarget), exec: Exec) {
  const db = () => (typeof dbOrGetter === "function" ? dbOrGetter() : dbOrGetter);

  it("records every migration in _prisma_migrations with Prisma's checksum", async () => {
    const rows = await exec(
      "SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name",
    );
    const files = listMigrationFiles(db().provider);
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(files.map((f) => [f.name, f.checksum]));
    expect(rows.every((r) => r.finished_at != null)).toBe(true);
  });

  it("then has nothing pending, and applying again opens no engine", async () => {
    const state = await readMigrationState(db());
    expect(state.pending).toEqual([]);
    expect(state.drifted).toEqual([]);
    expect(state.applied.map((a) => [a.name, a.failed, a.appliedAt instanceof Date])).toEqual(
      NAMES.map((n) => [n, false, true]),
    );
    const opened = schemaEngineStats().enginesOpened;
    expect(await applyPendingMigrations(db())).toEqual([]);
    expect(schemaEngineStats().enginesOpened).toBe(opened);
  });

  it("lists a migration as pending when _prisma_migrations lacks it", async () => {
    const last = NAMES.at(-1)!;
    const [row] = await exec("SELECT * FROM _prisma_migrations WHERE migration_name = ?", [last]);
    await exec("DELETE FROM _prisma_migrations WHERE migration_name = ?", [last]);
    try {
      expect((await readMigrationState(db())).pending).toEqual([last]);
    } finally {
      const cols = Object.keys(row!);
      await exec(
        `INSERT INTO _prisma_migrations (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
        cols.map((c) => row![c]),
      );
    }
    expect((await readMigrationState(db())).pending).toEqual([]);
  });

  it("keeps a failed migration pending", async () => {
    const last = NAMES.at(-1)!;
    const [row] = await exec("SELECT finished_at FROM _prisma_migrations WHERE migration_name = ?", [last]);
    await exec("UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = ?", [last]);
    try {
      const state = await readMigrationState(db());
      expect(state.pending).toEqual([last]);
      expect(state.applied.find((a) => a.name === last)).toMatchObject({ failed: true, appliedAt: null });
    } finally {
      await exec("UPDATE _prisma_migrations SET finished_at = ? WHERE migration_name = ?", [row!.finished_at, last]);
    }
  });

  it("reports an edited or unknown applied migration as drifted", async () => {
    const first = NAMES[0]!;
    const now = new Date().toISOString();
    await exec("UPDATE _prisma_migrations SET checksum = ? WHERE migration_name = ?", ["0".repeat(64), first]);
    await exec(
      "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)",
      ["fake-1", "1".repeat(64), "29990101000000_from_the_future", now, now],
    );
    const state = await readMigrationState(db());
    expect(state.drifted.sort()).toEqual([first, "29990101000000_from_the_future"].sort());
    expect(state.pending).toEqual([]);
  });
}

describe("an unreachable PostgreSQL", () => {
  const db = target("postgresql://postgres@127.0.0.1:1/intg");

  it.each([
    ["reading the state", () => readMigrationState(db)],
    ["applying", () => applyPendingMigrations(db)],
  ])("fails %s with a DatabaseError naming host and port, no stack", async (_, run) => {
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toBe("Cannot reach PostgreSQL at 127.0.0.1:1: connection refused.");
  });
});
