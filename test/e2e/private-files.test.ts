import { spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/databases.js";
import { seededBin } from "../helpers/ref-fixtures.js";
import { BIN, type SpawnResult } from "../helpers/spawn.js";

// Issue 12 item 5: the data folder is 0700, the database and its -wal/-shm 0600, and backups and
// exports are new 0600 files renamed into place, never written through a symlink or left half done.

const mode = (path: string) => statSync(path).mode & 0o777;

/** bin/intg under a shell that sets the umask (and optionally a file-size limit) first. */
function spawnIntg(args: string[], env: Record<string, string>, limits = "umask 022") {
  return spawn("sh", ["-c", `${limits} && exec "$0" "$@"`, process.execPath, BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

function run(
  args: string[],
  env: Record<string, string>,
  options: { limits?: string; input?: string } = {},
): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    const child = spawnIntg(args, env, options.limits);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("the embedded database's files under umask 022", () => {
  const home = tempDir();
  const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "xdg", "share"), INTG_ACTOR: "e2e" };
  const folder = join(home.path, "xdg", "share", "intg");
  const db = join(folder, "intg.db");
  afterAll(() => home.dispose());

  it("creates the folder 0700 and the database 0600; its -wal and -shm are 0600 too", async () => {
    const created = await run(["keys", "create", "--name", "a"], env);
    expect(created.code, created.stderr).toBe(0);
    expect(mode(folder)).toBe(0o700);
    expect(mode(db)).toBe(0o600);
    expect(mode(join(home.path, "xdg"))).toBe(0o755); // only the data folder itself is private

    // A worker holds the database open; killed, it leaves the -wal and -shm files behind to inspect.
    const worker = spawnIntg(["webhooks", "worker", "--poll", "20ms"], env);
    const exited = new Promise((resolve) => worker.on("close", resolve));
    try {
      await until("the -wal and -shm files", () => existsSync(`${db}-wal`) && existsSync(`${db}-shm`));
    } finally {
      worker.kill("SIGKILL");
      await exited;
    }
    expect(mode(`${db}-wal`)).toBe(0o600);
    expect(mode(`${db}-shm`)).toBe(0o600);
  });

  it("tightens a folder and files an older intg left readable by others", async () => {
    chmodSync(folder, 0o755);
    for (const f of [db, `${db}-wal`, `${db}-shm`].filter(existsSync)) chmodSync(f, 0o644);
    const listed = await run(["keys", "list", "--json"], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(mode(folder)).toBe(0o700);
    expect(mode(db)).toBe(0o600);
    for (const f of [`${db}-wal`, `${db}-shm`].filter(existsSync)) expect(mode(f)).toBe(0o600);
  });
});

describe("creating a database folder where none can be made", () => {
  it("fails with a message instead of spinning (Node 20's recursive mkdir never returns under /proc)", async () => {
    const r = await run(["db", "migrate", "--db", "file:/proc/intg-no-such/deep/intg.db"], {
      HOME: "/nonexistent-home",
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Cannot create the SQLite database /proc/intg-no-such/deep/intg.db: ENOENT");
  });
});

describe("connections backup --out", () => {
  const home = tempDir();
  const env = { HOME: home.path, INTG_DATABASE_URL: `file:${join(home.path, "intg.db")}`, INTG_ACTOR: "e2e" };
  const backup = (out: string) => run(["connections", "backup", "--out", out], env);
  beforeAll(async () => {
    expect((await run(["db", "migrate"], env)).code).toBe(0);
    expect(mode(join(home.path, "intg.db"))).toBe(0o600);
  });
  afterAll(() => home.dispose());

  it("replaces an existing 0644 file with a 0600 one", async () => {
    const out = join(home.path, "old.json");
    writeFileSync(out, "old contents\n", { mode: 0o644 });
    const r = await backup(out);
    expect(r.code, r.stderr).toBe(0);
    expect(mode(out)).toBe(0o600);
    expect(JSON.parse(readFileSync(out, "utf8"))).toHaveProperty("providers");
  });

  it("replaces a symlink at the target and leaves the file it pointed to untouched", async () => {
    const victim = join(home.path, "victim.txt");
    writeFileSync(victim, "precious\n", { mode: 0o644 });
    const link = join(home.path, "link.json");
    symlinkSync(victim, link);
    const r = await backup(link);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(mode(victim)).toBe(0o644);
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(mode(link)).toBe(0o600);
    expect(JSON.parse(readFileSync(link, "utf8"))).toHaveProperty("connections");
  });

  it("refuses a folder or a missing folder with exit 2 and leaves no file behind", async () => {
    const dir = join(home.path, "a-folder");
    mkdirSync(dir);
    const before = readdirSync(home.path).sort();
    for (const out of [dir, join(home.path, "missing", "b.json")]) {
      const r = await backup(out);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/folder/);
    }
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(home.path).sort()).toEqual(before);
  });
});

describe("an export whose write fails part-way", () => {
  const seeded = seededBin("sqlite");
  beforeAll(seeded.setup);
  afterAll(seeded.dispose);

  it("leaves the target as it was and no temporary file beside it", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `user,${i},contact,c-${i}`).join("\n");
    const imported = await seeded.run(
      ["refs", "import", "-", "--format", "csv", "--connection", "conn_hubspot"],
      `entityType,entityId,externalType,externalId\n${rows}\n`,
    );
    expect(imported.code, imported.stderr).toBe(0);
    const out = join(seeded.home, "refs.ndjson");
    writeFileSync(out, "the previous export\n", { mode: 0o600 });
    // A file-size limit of 100 KiB: the export (~1 MB) fails with EFBIG well into its writing.
    const failed = await run(["refs", "export", "--out", out], seeded.env(), { limits: "umask 022 && ulimit -f 200" });
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toContain("EFBIG");
    expect(readFileSync(out, "utf8")).toBe("the previous export\n");
    expect(readdirSync(seeded.home).filter((f) => f.startsWith(".refs.ndjson"))).toEqual([]);

    const done = await run(["refs", "export", "--out", out], seeded.env());
    expect(done.code, done.stderr).toBe(0);
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(3000);
    expect(mode(out)).toBe(0o600);
  });
});
