import { closeSync, openSync } from "node:fs";
import type BetterSqlite3 from "better-sqlite3";
import { openSqlite } from "./sqlite.js";

// An exclusive lock between processes on one machine, held through a file. The lock itself is an
// SQLite EXCLUSIVE transaction on that file: SQLite takes it with POSIX record locks, which the
// kernel drops the moment the holder exits, however it exits (SIGKILL included). So there is no
// stale lock to detect, no pid to check for reuse, and no race between two waiters breaking the
// same stale lock, which a pid-in-a-file lock (O_EXCL) has to get right by hand. The file stays;
// only the lock on it comes and goes. Waiting polls without blocking the event loop, so Ctrl-C
// still stops a waiting process.

export interface HeldFileLock {
  release(): void;
}

export interface FileLockOptions {
  /** How long to wait for another holder before giving up. */
  timeoutMs: number;
  /** Between attempts. */
  pollMs?: number;
}

/** Takes the lock, or returns undefined when another process still holds it after timeoutMs. */
export async function acquireFileLock(path: string, options: FileLockOptions): Promise<HeldFileLock | undefined> {
  closeSync(openSync(path, "a", 0o600)); // made 0600 here, not by SQLite under the umask
  const db = openSqlite(path, { timeout: 0 });
  try {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      if (tryExclusive(db)) return { release: () => release(db) };
      if (Date.now() >= deadline) {
        db.close();
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 50));
    }
  } catch (error) {
    if (db.open) db.close();
    throw error;
  }
}

function tryExclusive(db: BetterSqlite3.Database): boolean {
  try {
    // No journal: the transaction never writes, it exists only for its lock. (Set each time: the
    // pragma itself waits on the lock while another process holds it.)
    db.pragma("journal_mode = OFF");
    db.exec("BEGIN EXCLUSIVE");
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") return false;
    throw error;
  }
}

function release(db: BetterSqlite3.Database): void {
  if (!db.open) return;
  try {
    if (db.inTransaction) db.exec("ROLLBACK");
  } finally {
    db.close(); // closing drops the lock even if the rollback failed
  }
}
