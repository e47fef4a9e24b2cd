import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { PrivateFile, withPrivateFile, writePrivateFile } from "../../src/lib/private-file.js";
import { tempDir } from "../helpers/databases.js";

// Real files in a temporary folder: the helper every backup and export goes through.
describe("private files", () => {
  const dir = tempDir();
  afterAll(() => dir.dispose());
  const at = (name: string) => join(dir.path, name);
  const mode = (path: string) => statSync(path).mode & 0o777;
  const leftovers = () => readdirSync(dir.path).filter((f) => f.endsWith(".tmp"));

  it("writes a new file 0600, and replaces a 0644 one with a 0600 one", () => {
    writePrivateFile(at("new.json"), "{}\n");
    expect(mode(at("new.json"))).toBe(0o600);
    writeFileSync(at("old.json"), "old", { mode: 0o644 });
    chmodSync(at("old.json"), 0o644);
    writePrivateFile(at("old.json"), Buffer.from("new"));
    expect(readFileSync(at("old.json"), "utf8")).toBe("new");
    expect(mode(at("old.json"))).toBe(0o600);
    expect(leftovers()).toEqual([]);
  });

  it("replaces a symlink itself, never the file it points to, even a dangling one's target", () => {
    writeFileSync(at("target.txt"), "keep");
    symlinkSync(at("target.txt"), at("link"));
    symlinkSync(at("nowhere.txt"), at("dangling"));
    writePrivateFile(at("link"), "written");
    writePrivateFile(at("dangling"), "written");
    expect(readFileSync(at("target.txt"), "utf8")).toBe("keep");
    expect(lstatSync(at("link")).isFile()).toBe(true);
    expect(readFileSync(at("link"), "utf8")).toBe("written");
    expect(readdirSync(dir.path)).not.toContain("nowhere.txt");
  });

  it("refuses a folder and a missing folder as usage errors, before any work", async () => {
    mkdirSync(at("folder"));
    let worked = false;
    await expect(withPrivateFile(at("folder"), async () => void (worked = true))).rejects.toThrow(UsageError);
    expect(() => new PrivateFile(at("no/such/file"))).toThrow(/its folder does not exist/);
    expect(worked).toBe(false);
    expect(readdirSync(at("folder"))).toEqual([]);
  });

  it("keeps the target as it was when the work fails, and writes many pieces in order when it does not", async () => {
    writeFileSync(at("export.ndjson"), "previous\n");
    await expect(
      withPrivateFile(at("export.ndjson"), async (f) => {
        f.write("line 1\n");
        throw new Error("the database went away");
      }),
    ).rejects.toThrow("went away");
    expect(readFileSync(at("export.ndjson"), "utf8")).toBe("previous\n");
    expect(leftovers()).toEqual([]);

    const lines = Array.from({ length: 20_000 }, (_, i) => `{"n":${i},"text":"é${"x".repeat(i % 50)}"}\n`);
    const n = await withPrivateFile(at("export.ndjson"), async (f) => {
      for (const line of lines) f.write(line);
      return lines.length;
    });
    expect(n).toBe(20_000);
    expect(readFileSync(at("export.ndjson"), "utf8")).toBe(lines.join(""));
    expect(mode(at("export.ndjson"))).toBe(0o600);
    expect(leftovers()).toEqual([]);
  });
});
