import { existsSync } from "node:fs";
import { DatabaseError, PendingError } from "../errors.js";
import { applyPendingMigrations, migrationNames, pendingMigrations, postgresError } from "./migrations.js";
import { tightenEmbeddedFiles } from "./sqlite-files.js";
import { openSql, type SqlClient } from "./sql.js";
import type { DbTarget } from "./url.js";

/**
 * An open database: SQL straight through the driver, ready at once. Prisma's client costs ~0.25 s
 * to load and more for its first query, so the CLI never loads it; apps that embed intg pass
 * their own (src/library/context.ts).
 */
export interface Database {
  target: DbTarget;
  sql: SqlClient;
  close(): Promise<void>;
}

/**
 * Opens the database, after making sure its schema is current. The embedded default migrates
 * itself on first use (loading the schema engine only when something is pending); any other
 * database behind its migrations is refused with a message naming `intg db migrate`.
 */
export async function openDatabase(target: DbTarget, options: { autoMigrate: boolean }): Promise<Database> {
  // A new embedded file is created by its first migration, before anything opens it; any other
  // missing file is a database with every migration pending.
  if (target.provider === "sqlite" && target.file !== ":memory:" && !existsSync(target.file!)) {
    if (!options.autoMigrate) throw behindMigrations(target, migrationNames("sqlite"));
    await applyPendingMigrations(target);
  }
  if (target.embedded) tightenEmbeddedFiles(target.file!);
  const sql = await openSql(target).catch((error) => {
    throw target.provider === "postgresql" ? postgresError(target.url, error) : openError(target, error);
  });
  try {
    const pending = await pendingMigrations(sql);
    if (pending.length > 0) {
      if (!options.autoMigrate) throw behindMigrations(target, pending);
      await applyPendingMigrations(target);
    }
  } catch (error) {
    await sql.close();
    throw error;
  }
  return { target, sql, close: () => sql.close() };
}

function openError(target: DbTarget, error: unknown): Error {
  const e = error as { code?: string; message?: string };
  if (e.code === "SQLITE_CANTOPEN" || /does not exist/.test(e.message ?? "")) {
    return new DatabaseError(
      `There is no SQLite database at ${target.file}.`,
      `Create it with: intg db migrate --db '${target.redacted}'`,
      { cause: error },
      "DATABASE_MISSING",
    );
  }
  return new DatabaseError(`Cannot open the SQLite database ${target.file}: ${e.message ?? String(error)}`, undefined, {
    cause: error,
  });
}

export function behindMigrations(target: DbTarget, pending: string[]): PendingError {
  return new PendingError(
    `The database ${target.redacted} is behind its migrations (${pending.length} pending: ${pending.join(", ")}).`,
    "Run: intg db migrate",
    "MIGRATIONS_PENDING",
  );
}
