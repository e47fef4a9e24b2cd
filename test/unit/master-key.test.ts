import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { CredentialError, UsageError } from "../../src/errors.js";
import { ExitCode, exitCodeOf } from "../../src/cli/exit-codes.js";
import { generateMasterKey, masterKeyFrom } from "../../src/lib/crypto.js";
import { parseDbUrl, resolveDbTarget } from "../../src/db/url.js";
import {
  createKeyFile,
  formatKeyFile,
  parseKeyFile,
  readKeyFile,
  replaceKeyFile,
} from "../../src/services/secrets/key-file.js";
import {
  keyFilePath,
  parseMasterKeyText,
  parsePreviousKeys,
  readMasterKeys,
} from "../../src/services/secrets/master-key.js";
import { tempDir } from "../helpers/databases.js";

const dirs: { dispose(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.dispose()));
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d.path;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("INTG_MASTER_KEY and INTG_PREVIOUS_MASTER_KEYS", () => {
  const bytes = randomBytes(32);

  it("accepts base64 of exactly 32 bytes, standard or URL-safe, padded or not", () => {
    for (const text of [bytes.toString("base64"), bytes.toString("base64url"), ` ${bytes.toString("base64")}\n`]) {
      expect(parseMasterKeyText(text, "INTG_MASTER_KEY").id).toBe(masterKeyFrom(bytes).id);
    }
  });

  it("refuses anything else as a usage error (exit 2) that never echoes the value", () => {
    for (const [text, why] of [
      [randomBytes(16).toString("base64"), "it decodes to 16 bytes"],
      [randomBytes(33).toString("base64"), "it decodes to 33 bytes"],
      ["not base64 at all!", "it is not base64"],
      [bytes.toString("hex"), "it decodes to 48 bytes"],
    ] as const) {
      const e = thrown(() => parseMasterKeyText(text, "INTG_MASTER_KEY"));
      expect(e).toBeInstanceOf(UsageError);
      expect(exitCodeOf(e as UsageError)).toBe(ExitCode.USAGE);
      expect(e.message).toBe(`INTG_MASTER_KEY must be base64 of exactly 32 bytes; ${why}.`);
      expect(e.message + (e as UsageError).hint).not.toContain(text);
    }
  });

  it("reads previous keys comma-separated, naming a bad entry by position", () => {
    const [a, b] = [generateMasterKey(), generateMasterKey()];
    expect(parsePreviousKeys(`${a.bytes.toString("base64")}, ${b.bytes.toString("base64")},`).map((k) => k.id)).toEqual(
      [a.id, b.id],
    );
    expect(parsePreviousKeys(undefined)).toEqual([]);
    expect(thrown(() => parsePreviousKeys(`${a.bytes.toString("base64")},short`)).message).toContain(
      "INTG_PREVIOUS_MASTER_KEYS entry 2",
    );
  });
});

describe("where the master key comes from", () => {
  it("uses INTG_MASTER_KEY with any database, with previous keys for reading", () => {
    const [cur, old] = [generateMasterKey(), generateMasterKey()];
    const env = {
      INTG_MASTER_KEY: cur.bytes.toString("base64"),
      INTG_PREVIOUS_MASTER_KEYS: old.bytes.toString("base64"),
    };
    const ring = readMasterKeys(env, parseDbUrl("postgresql://u@h/db", "--db", "/"))!;
    expect(ring).toMatchObject({ source: "env", file: null, created: false });
    expect([ring.current.id, ring.previous.map((k) => k.id)]).toEqual([cur.id, [old.id]]);
  });

  it("refuses a non-embedded database without INTG_MASTER_KEY: exit 4, saying what to set", () => {
    for (const url of ["postgresql://u:pw@h/db", "file:/data/team.db"]) {
      const e = thrown(() => readMasterKeys({}, parseDbUrl(url, "--db", "/")));
      expect(e).toBeInstanceOf(CredentialError);
      expect(exitCodeOf(e as CredentialError)).toBe(ExitCode.CREDENTIAL);
      expect(e.message).toContain("set INTG_MASTER_KEY");
      expect(e.message).not.toContain(":pw@");
    }
  });

  it("keeps the embedded database's key file beside it, and has none until it is made", () => {
    const home = dir();
    const target = resolveDbTarget(undefined, { XDG_DATA_HOME: home }, "/");
    expect(keyFilePath(target)).toBe(join(home, "intg", "master.key"));
    expect(keyFilePath(parseDbUrl("file:/data/x.db", "--db", "/"))).toBeNull();
    expect(readMasterKeys({}, target)).toBeUndefined();
  });

  it("lends an existing key file's keys to INTG_MASTER_KEY, to move off the file by one rotation", () => {
    const home = dir();
    const target = resolveDbTarget(undefined, { XDG_DATA_HOME: home }, "/");
    const stored = generateMasterKey();
    createKeyFile(keyFilePath(target)!, { current: stored, previous: [] });
    const cur = generateMasterKey();
    const ring = readMasterKeys({ INTG_MASTER_KEY: cur.bytes.toString("base64") }, target)!;
    expect([ring.source, ring.current.id, ring.previous.map((k) => k.id)]).toEqual(["env", cur.id, [stored.id]]);
  });
});

describe("the key file", () => {
  it("is created with mode 0600, once: a second creator reads the first one's key", () => {
    const path = join(dir(), "sub", "master.key");
    const first = createKeyFile(path, { current: generateMasterKey(), previous: [] });
    expect(first.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = createKeyFile(path, { current: generateMasterKey(), previous: [] });
    expect(second).toMatchObject({ created: false });
    expect(second.contents.current.id).toBe(first.contents.current.id);
    expect(readdirSync(join(path, ".."))).toEqual(["master.key"]); // no temporary file left
  });

  it("holds the current and previous keys as JSON with their ids, replaced atomically", () => {
    const path = join(dir(), "master.key");
    const [a, b] = [generateMasterKey(), generateMasterKey()];
    createKeyFile(path, { current: a, previous: [] });
    replaceKeyFile(path, { current: b, previous: [a] });
    const json = JSON.parse(readFileSync(path, "utf8"));
    expect(json).toEqual({
      version: 1,
      current: { id: b.id, key: b.bytes.toString("base64") },
      previous: [{ id: a.id, key: a.bytes.toString("base64") }],
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const read = readKeyFile(path)!;
    expect([read.current.id, read.previous.map((k) => k.id)]).toEqual([b.id, [a.id]]);
    expect(readdirSync(join(path, ".."))).toEqual(["master.key"]);
  });

  it("is refused when group or others can read it (exit 4, saying how to fix it)", () => {
    const path = join(dir(), "master.key");
    createKeyFile(path, { current: generateMasterKey(), previous: [] });
    chmodSync(path, 0o644);
    const e = thrown(() => readKeyFile(path)) as CredentialError;
    expect(e).toBeInstanceOf(CredentialError);
    expect(e.code).toBe("MASTER_KEY_FILE_INSECURE");
    expect(e.message).toContain("mode 0644");
    expect(e.hint).toContain(`chmod 600 '${path}'`);
  });

  it("is refused when it is not what intg wrote", () => {
    const a = generateMasterKey();
    const good = JSON.parse(formatKeyFile({ current: a, previous: [] }));
    for (const [text, why] of [
      ["{", "it is not JSON"],
      [JSON.stringify({ ...good, version: 2 }), "expected version 1"],
      [
        JSON.stringify({ ...good, current: { ...good.current, id: "0000000000000000" } }),
        `current is labelled 0000000000000000 but its key's id is ${a.id}`,
      ],
      [JSON.stringify({ ...good, previous: [{ id: "x", key: "c2hvcnQ=" }] }), "previous[0] is not 32 bytes"],
    ]) {
      const e = thrown(() => parseKeyFile(text!, "/k")) as CredentialError;
      expect(e.code).toBe("MASTER_KEY_FILE_INVALID");
      expect(e.message).toBe(`The master key file /k is not valid: ${why}.`);
    }
    const path = join(dir(), "master.key");
    writeFileSync(path, "{", { mode: 0o600 });
    expect(() => readKeyFile(path)).toThrow(CredentialError);
  });
});
