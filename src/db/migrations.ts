// Reads and applies the migrations in prisma/<provider>/migrations. Reading uses the raw driver
// and runs on every command, so it stays cheap; applying loads Prisma's schema engine, which
// records _prisma_migrations as `prisma migrate deploy` would.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { MigrationList } from "@prisma/schema-engine-wasm/schema_engine_bg";
import { DatabaseError } from "../errors.js";
import { openSqlite } from "../lib/sqlite.js";
import { nodeCrypto } from "../lib/lazy-builtins.js";
import { PACKAGE_ROOT } from "../lib/package-root.js";
import { createPrivateSqliteFile } from "./sqlite-files.js";
import type { SqlClient } from "./sql.js";
import type { DbTarget, Provider } from "./url.js";

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}
export interface AppliedMigration {
  name: string;
  appliedAt: Date | null;
  checksum: string;
  failed: boolean;
}
export interface MigrationState {
  applied: AppliedMigration[];
  /** In the folder but not successfully applied (a failed one stays pending until it is). */
  pending: string[];
  /** applied names no longer present in the folder, or whose checksum changed */
  drifted: string[];
}

interface Row {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

export function migrationsDir(provider: Provider): string {
  return join(PACKAGE_ROOT, "prisma", provider, "migrations");
}

/** The folder's migration names, sorted; no file is read. */
export function migrationNames(provider: Provider): string[] {
  const dir = migrationsDir(provider);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/**
 * The names not yet applied, through an open connection: the check every command makes before
 * it runs, so it reads neither the SQL files nor their checksums (`db status` does that).
 */
export async function pendingMigrations(sql: SqlClient): Promise<string[]> {
  const exists =
    sql.provider === "sqlite"
      ? await sql.get(`SELECT 1 AS "x" FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`)
      : (await sql.get<{ x: boolean }>(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS "x"`))?.x;
  const applied = new Set(
    exists
      ? (
          await sql.all<{ name: string }>(
            `SELECT "migration_name" AS "name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
          )
        ).map((r) => r.name)
      : [],
  );
  return migrationNames(sql.provider).filter((name) => !applied.has(name));
}

export function listMigrationFiles(provider: Provider): MigrationFile[] {
  const dir = migrationsDir(provider);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: nodeCrypto().createHash("sha256").update(sql).digest("hex") };
    });
}

/** The folder as the schema engine takes it; the lockfile tells the engine which connector it is. */
export function migrationsList(provider: Provider): MigrationList {
  const dir = migrationsDir(provider);
  const lockPath = join(dir, "migration_lock.toml");
  return {
    baseDir: dir,
    lockfile: {
      path: "migration_lock.toml",
      content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : `provider = "${provider}"\n`,
    },
    shadowDbInitScript: "",
    migrationDirectories: listMigrationFiles(provider).map((m) => ({
      path: m.name,
      migrationFile: { path: "migration.sql", content: { tag: "ok" as const, value: m.sql } },
    })),
  };
}

export async function readMigrationState(target: DbTarget): Promise<MigrationState> {
  const files = listMigrationFiles(target.provider);
  const rows = target.provider === "sqlite" ? await readSqliteRows(target.file!) : await readPostgresRows(target.url);
  // Rolled-back rows are history only, as for Prisma; a row never finished is a failed migration.
  const applied = rows
    .filter((r) => r.rolled_back_at == null)
    .map((r) => ({
      name: r.migration_name,
      appliedAt: toDate(r.finished_at),
      checksum: r.checksum,
      failed: r.finished_at == null,
    }));
  const done = new Map(applied.filter((a) => !a.failed).map((a) => [a.name, a.checksum]));
  const known = new Map(files.map((f) => [f.name, f.checksum]));
  return {
    applied,
    pending: files.filter((f) => !done.has(f.name)).map((f) => f.name),
    drifted: [...done].filter(([name, checksum]) => known.get(name) !== checksum).map(([name]) => name),
  };
}

export async function applyPendingMigrations(target: DbTarget): Promise<string[]> {
  if ((await readMigrationState(target)).pending.length === 0) return [];
  if (target.provider === "postgresql") return applyWithEngine(target, target.url);
  const file = target.file!;
  if (file === ":memory:") return applyWithEngine(target, file);
  createPrivateSqliteFile(file);
  const db = openSqlite(file, { timeout: 5000 });
  // WAL lets a worker and an operator's commands share the file; the mode is stored in the file.
  db.pragma("journal_mode = WAL");
  db.close();
  // The engine takes no lock on SQLite, so two processes migrating on first use take turns here.
  return withLockFile(`${file}.migrating`, async () =>
    (await readMigrationState(target)).pending.length === 0 ? [] : applyWithEngine(target, file),
  );
}

async function applyWithEngine(target: DbTarget, url: string): Promise<string[]> {
  const { openSchemaEngine } = await import("./schema-engine.js");
  const schemaFile = join(PACKAGE_ROOT, "prisma", target.provider, "schema.prisma");
  const handle = await openSchemaEngine(target.provider, url, {
    path: "schema.prisma",
    content: readFileSync(schemaFile, "utf8"),
  });
  try {
    const out = await handle.engine.applyMigrations({
      migrationsList: migrationsList(target.provider),
      filters: { externalTables: [], externalEnums: [] },
    });
    return out.appliedMigrationNames;
  } catch (error) {
    throw new DatabaseError(
      `Migrating ${target.redacted} failed: ${handle.describeError(error)}`,
      "Fix the cause, then run: intg db migrate. A migration that failed part-way stays recorded in _prisma_migrations; undo what it changed and set that row's rolled_back_at first.",
      { cause: error },
      "MIGRATION_FAILED",
    );
  } finally {
    await handle.close();
  }
}

async function readSqliteRows(file: string): Promise<Row[]> {
  // A file that does not exist yet has had nothing applied; reading must not create it.
  if (file === ":memory:" || !existsSync(file)) return [];
  try {
    const db = openSqlite(file, { fileMustExist: true, timeout: 5000 });
    try {
      const present = db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'")
        .get();
      if (!present) return [];
      return db
        .prepare(
          "SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at",
        )
        .all() as Row[];
    } finally {
      db.close();
    }
  } catch (error) {
    throw new DatabaseError(`Cannot read the SQLite database ${file}: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
}

async function readPostgresRows(url: string): Promise<Row[]> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined); // a dropped connection surfaces through the pending query
  try {
    await client.connect();
    const { rows } = await client.query<{ present: boolean }>(
      "SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present",
    );
    if (!rows[0]?.present) return [];
    return (
      await client.query<Row>(
        "SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at",
      )
    ).rows;
  } catch (error) {
    throw postgresError(url, error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Names where the database is and what went wrong, in a sentence; the driver's stack stays in `cause`. */
export function postgresError(url: string, error: unknown): DatabaseError {
  const u = new URL(url);
  const at = `${u.hostname || "localhost"}:${u.port || "5432"}`;
  const database = decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username) || "postgres";
  const { code, message } = error as { code?: string; message?: string };
  const reason: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "host not found",
    ETIMEDOUT: "timed out",
    EHOSTUNREACH: "host unreachable",
  };
  const text =
    code && reason[code]
      ? `Cannot reach PostgreSQL at ${at}: ${reason[code]}.`
      : code === "3D000"
        ? `PostgreSQL at ${at} has no database "${database}".`
        : code === "28P01" || code === "28000"
          ? `PostgreSQL at ${at} refused the login for user "${decodeURIComponent(u.username)}".`
          : /timeout/i.test(message ?? "")
            ? `Cannot reach PostgreSQL at ${at}: timed out.`
            : `PostgreSQL at ${at} (database "${database}") failed: ${message ?? String(error)}`;
  return new DatabaseError(text, "Check the URL given by --db, INTG_DATABASE_URL or DATABASE_URL.", { cause: error });
}

function toDate(value: unknown): Date | null {
  if (value == null) return null;
  const date =
    value instanceof Date ? value : new Date(typeof value === "bigint" ? Number(value) : (value as string | number));
  return Number.isNaN(date.getTime()) ? null : date;
}

async function withLockFile<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      closeSync(openSync(path, "wx", 0o600));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A lock older than two minutes was left by a process that died while migrating.
      if (Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 120_000)
        rmSync(path, { force: true });
      else if (Date.now() > deadline)
        throw new DatabaseError(`Another intg process has been migrating for two minutes (lock file ${path}).`);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}
