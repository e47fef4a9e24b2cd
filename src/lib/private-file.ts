import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, fsyncSync, lstatSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { IntgError, UsageError } from "../errors.js";

// Backups and exports hold credentials (sealed or not), endpoint headers and customer data: they
// are owner-only (DESIGN §6). Each is written to a new file made here with O_EXCL and mode 0600,
// in the target's folder, and renamed over the target only once complete. So an older 0644 file is
// replaced by a 0600 one (not rewritten in place, keeping its mode), a symlink at the target is
// replaced itself rather than written through (its target is never touched), and a failed or
// interrupted export leaves the target as it was. A SIGKILL can leave a hidden, owner-only
// `.<name>.<random>.tmp` beside the target; nothing else.

const FLUSH_AT = 64 * 1024;

export class PrivateFile {
  readonly #fd: number;
  readonly #tmp: string;
  #pending: string[] = [];
  #pendingBytes = 0;
  #done = false;

  /** Creates the temporary file; a bad target (a folder, a missing folder) is a usage error now. */
  constructor(readonly path: string) {
    if (lstatSync(path, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`Cannot write ${path}: it is a folder; nothing was written.`, undefined, "OUT_IS_FOLDER");
    }
    this.#tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      // "wx" is O_CREAT | O_EXCL: it never opens an existing file, nor follows a symlink planted there.
      this.#fd = openSync(this.#tmp, "wx", 0o600);
    } catch (error) {
      throw openError(path, error);
    }
  }

  /** Buffers text and writes it in large pieces: an export is many small lines. */
  write(text: string | Uint8Array): void {
    if (typeof text !== "string") {
      this.#flush();
      this.#writeAll(Buffer.from(text));
      return;
    }
    this.#pending.push(text);
    this.#pendingBytes += text.length;
    if (this.#pendingBytes >= FLUSH_AT) this.#flush();
  }

  /** Flushes to disk and renames over the target: from here the target holds the whole file. */
  commit(): void {
    try {
      this.#flush();
      fchmodSync(this.#fd, 0o600); // exactly 0600, whatever the umask took away
      fsyncSync(this.#fd);
      closeSync(this.#fd);
      this.#done = true;
      renameSync(this.#tmp, this.path);
    } catch (error) {
      this.abort();
      throw writeError(this.path, error);
    }
    syncDir(dirname(this.path));
  }

  /** Drops the temporary file; the target is as it was. Safe to call more than once. */
  abort(): void {
    if (!this.#done) {
      this.#done = true;
      try {
        closeSync(this.#fd);
      } catch {
        // already closed by a failed commit
      }
    }
    rmSync(this.#tmp, { force: true });
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const buf = Buffer.from(this.#pending.join(""), "utf8");
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#writeAll(buf);
  }

  #writeAll(buf: Buffer): void {
    try {
      for (let off = 0; off < buf.length; ) off += writeSync(this.#fd, buf, off, buf.length - off);
    } catch (error) {
      throw writeError(this.path, error);
    }
  }
}

/** The whole file at once. */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  const file = new PrivateFile(path);
  try {
    file.write(data);
  } catch (error) {
    file.abort();
    throw error;
  }
  file.commit();
}

/**
 * Opens the file before the work starts (a bad path fails first), hands it to fn, and renames it
 * into place when fn returns; when fn throws, the temporary file is removed and the target kept.
 */
export async function withPrivateFile<T>(path: string, fn: (file: PrivateFile) => Promise<T>): Promise<T> {
  const file = new PrivateFile(path);
  let result: T;
  try {
    result = await fn(file);
  } catch (error) {
    file.abort();
    throw error;
  }
  file.commit();
  return result;
}

function openError(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") {
    const message = `Cannot write ${path}: its folder does not exist; nothing was written.`;
    return new UsageError(message, undefined, "OUT_FOLDER_MISSING");
  }
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    const message = `Cannot write ${path}: ${code} on its folder; nothing was written.`;
    return new UsageError(message, undefined, "OUT_NOT_WRITABLE");
  }
  return writeError(path, error);
}

function writeError(path: string, error: unknown): Error {
  if (error instanceof IntgError) return error;
  const e = error as NodeJS.ErrnoException;
  const message = `Writing ${path} failed (${e.code ?? e.message}); the file was left as it was.`;
  return new IntgError("WRITE_FAILED", message, undefined, undefined, { cause: error });
}

// The rename is durable only once the folder's entry is flushed too.
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a folder; the file itself was flushed.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
