import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { syncDir } from "../../lib/private-file.js";
import { CredentialError } from "../../errors.js";
import { KEY_BYTES, masterKeyFrom, type MasterKey } from "../../lib/crypto.js";

// The embedded database's master key file, `master.key` beside `intg.db`. JSON, so a person can
// read which key is which:
//
//   {"version":1,"current":{"id":"<16 hex>","key":"<base64 of 32 bytes>"},"previous":[{"id":…,"key":…}]}
//
// `previous` holds the keys a master-key rotation is moving away from, until no secret is left
// under them. The ids are redundant (they are fingerprints of the keys) and are checked on read,
// so a hand-edited file that mixes them up is refused rather than trusted.
//
// Mode 0600, and refused when group or others can read it: whoever reads it reads every secret.
// Writes go to a temporary file in the same directory, then link (create) or rename (replace), so
// a crash never leaves a half-written key file and two first runs never make two keys.

export const KEY_FILE_NAME = "master.key";

export interface KeyFileContents {
  current: MasterKey;
  previous: MasterKey[];
}

export function readKeyFile(path: string): KeyFileContents | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CredentialError(
      `The master key file ${path} cannot be read: ${(error as Error).message}.`,
      undefined,
      "MASTER_KEY_FILE_UNREADABLE",
    );
  }
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    throw new CredentialError(
      `The master key file ${path} is readable by other users (mode 0${(mode & 0o777).toString(8)}); intg will not use it.`,
      `Run: chmod 600 '${path}' (and consider rotating the key: intg secrets rotate-master-key)`,
      "MASTER_KEY_FILE_INSECURE",
    );
  }
  return parseKeyFile(readFileSync(path, "utf8"), path);
}

export function parseKeyFile(text: string, path: string): KeyFileContents {
  const bad = (why: string) =>
    new CredentialError(
      `The master key file ${path} is not valid: ${why}.`,
      "Restore it from a backup.",
      "MASTER_KEY_FILE_INVALID",
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw bad("it is not JSON");
  }
  const file = data as { version?: unknown; current?: unknown; previous?: unknown };
  if (typeof data !== "object" || data === null || file.version !== 1) throw bad("expected version 1");
  const previous = file.previous ?? [];
  if (!Array.isArray(previous)) throw bad('"previous" is not a list');
  return {
    current: entry(file.current, "current", bad),
    previous: previous.map((p, i) => entry(p, `previous[${i}]`, bad)),
  };
}

function entry(value: unknown, where: string, bad: (why: string) => Error): MasterKey {
  const e = value as { id?: unknown; key?: unknown } | null;
  if (typeof e !== "object" || e === null || typeof e.key !== "string") throw bad(`${where} has no key`);
  const bytes = Buffer.from(e.key, "base64");
  if (bytes.length !== KEY_BYTES) throw bad(`${where} is not ${KEY_BYTES} bytes`);
  const key = masterKeyFrom(bytes);
  if (e.id !== key.id) throw bad(`${where} is labelled ${String(e.id)} but its key's id is ${key.id}`);
  return key;
}

export function formatKeyFile(contents: KeyFileContents): string {
  const entryOf = (k: MasterKey) => ({ id: k.id, key: k.bytes.toString("base64") });
  return (
    JSON.stringify(
      { version: 1, current: entryOf(contents.current), previous: contents.previous.map(entryOf) },
      null,
      2,
    ) + "\n"
  );
}

/**
 * Creates the key file unless it exists. Returns what the file holds afterwards, and whether this
 * call created it (when two processes race, one creates and the other reads the winner's key).
 */
export function createKeyFile(
  path: string,
  contents: KeyFileContents,
): { contents: KeyFileContents; created: boolean } {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = writeTemp(path, formatKeyFile(contents));
  try {
    linkSync(tmp, path); // fails with EEXIST rather than replace a key that another process made
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return { contents: readKeyFile(path)!, created: false };
  } finally {
    unlinkSync(tmp);
  }
  syncDir(dirname(path));
  return { contents, created: true };
}

/** Replaces the key file's contents atomically. */
export function replaceKeyFile(path: string, contents: KeyFileContents): void {
  const tmp = writeTemp(path, formatKeyFile(contents));
  try {
    renameSync(tmp, path);
  } catch (error) {
    unlinkSync(tmp);
    throw error;
  }
  syncDir(dirname(path));
}

function writeTemp(path: string, text: string): string {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}
