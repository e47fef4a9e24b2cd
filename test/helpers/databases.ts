// Test databases: a fresh SQLite file per test, and, when INTG_TEST_DATABASE_URL is set, a fresh
// PostgreSQL database per test file (created here, dropped afterwards).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";

export const PG_BASE_URL = process.env.INTG_TEST_DATABASE_URL;

/** The providers integration tests run against: SQLite always, PostgreSQL when configured. */
export const PROVIDERS: ("sqlite" | "postgresql")[] = PG_BASE_URL ? ["sqlite", "postgresql"] : ["sqlite"];

export interface TempDb {
  provider: "sqlite" | "postgresql";
  url: string;
  dispose(): Promise<void>;
}

export function tempDir(prefix = "intg-test-"): { path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

export function tempSqlite(): TempDb {
  const dir = tempDir();
  return { provider: "sqlite", url: `file:${join(dir.path, "intg.db")}`, dispose: async () => dir.dispose() };
}

/** Creates an empty PostgreSQL database next to the one INTG_TEST_DATABASE_URL names. */
export async function tempPostgres(): Promise<TempDb> {
  if (!PG_BASE_URL) throw new Error("INTG_TEST_DATABASE_URL is not set");
  const name = `intg_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_BASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_BASE_URL);
  url.pathname = `/${name}`;
  return {
    provider: "postgresql",
    url: url.toString(),
    async dispose() {
      const c = new pg.Client({ connectionString: PG_BASE_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function tempDb(provider: "sqlite" | "postgresql"): Promise<TempDb> {
  return provider === "sqlite" ? Promise.resolve(tempSqlite()) : tempPostgres();
}
