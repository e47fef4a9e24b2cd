// The SQLite database's folder and files are owner-only (DESIGN §6): they hold key hashes, sealed
// credentials and the audit log.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseError } from "../errors.js";

/**
 * The data folder is created 0700 and the database file 0600 (DESIGN §6), the file before SQLite
 * opens it: SQLite would create it 0644 under the usual umask, and gives its -wal and -shm files
 * the database file's mode. An empty file is a valid empty database.
 */
export function createPrivateSqliteFile(file: string): void {
  const dir = dirname(file);
  try {
    if (!existsSync(dir)) makeFolders(dir);
    closeSync(openSync(file, "wx", 0o600));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return; // another process made it first, the same way
    const message = `Cannot create the SQLite database ${file}: ${code ?? (error as Error).message}.`;
    throw new DatabaseError(message, undefined, { cause: error }, "DATABASE_CREATE_FAILED");
  }
}

/**
 * One level at a time, never mkdirSync's `recursive`: Node 20's spins forever, ignoring SIGTERM,
 * on a path under /proc. Folders above the data folder get the usual mode; the data folder 0700.
 */
function makeFolders(dir: string, mode = 0o700): void {
  const parent = dirname(dir);
  if (parent !== dir && !existsSync(parent)) makeFolders(parent, 0o777);
  try {
    mkdirSync(dir, { mode });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

/**
 * The embedded database's folder and files, made owner-only when an older intg (or a umask) left
 * them readable by others. Only what this user owns is changed; a few stat calls per command.
 */
export function tightenEmbeddedFiles(file: string): void {
  if (process.platform === "win32" || typeof process.getuid !== "function") return;
  const uid = process.getuid();
  const wanted = [
    [dirname(file), 0o700],
    [file, 0o600],
    [`${file}-wal`, 0o600],
    [`${file}-shm`, 0o600],
  ] as const;
  for (const [path, mode] of wanted) {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st || st.uid !== uid || (st.mode & 0o077) === 0) continue;
    try {
      chmodSync(path, mode);
    } catch {
      // Not ours to change after all (a race with its removal): the command goes on as before.
    }
  }
}
