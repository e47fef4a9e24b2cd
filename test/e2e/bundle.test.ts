import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/databases.js";
import "../helpers/spawn.js"; // fails early when dist/ is missing

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));

// The built code (not src/): its code cache, its developer entry, and that the CLI never loads
// Prisma's client (apps that embed intg bring their own).
describe("the built bundle", () => {
  const dir = tempDir();
  afterAll(() => dir.dispose());

  it("ships a V8 code cache for every chunk of the CLI, that this Node accepts", () => {
    // If a cache were missing or rejected, every command would silently compile that code again.
    // The webhook store thread's bundle too: the launcher starts that thread (store-thread.ts).
    const chunks = readdirSync(DIST).filter((f) => /^(main|cli-[\w-]+|webhook-store)\.cjs$/.test(f));
    const cached = chunks.filter((f) => existsSync(join(DIST, `${f}.cache`)));
    expect(chunks.length).toBeGreaterThan(10); // a noun, its verbs, the data layer, …
    expect(chunks).toContain("webhook-store.cjs");
    expect(cached).toEqual(chunks); // every chunk: none is compiled from nothing
    const script = `
      const vm = require("node:vm"), fs = require("node:fs"), Module = require("node:module");
      const rejected = ${JSON.stringify(cached.map((f) => join(DIST, f)))}.filter((file) =>
        new vm.Script(Module.wrap(fs.readFileSync(file, "utf8")), { filename: file, cachedData: fs.readFileSync(file + ".cache") }).cachedDataRejected);
      console.log(JSON.stringify({ rejected }));`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ rejected: [] });
  });

  it("runs a command from the chunks it needs alone", () => {
    const chunks = readdirSync(DIST).filter((f) => /^(main|cli-[\w-]+)\.cjs$/.test(f));
    const script = `
      const vm = require("node:vm"), Script = vm.Script, loaded = [];
      vm.Script = class extends Script { constructor(s, o) { super(s, o); loaded.push(o.filename); } };
      process.on("exit", () => process.stderr.write(JSON.stringify(loaded)));
      process.argv.push("intg", "--version");
      require(${JSON.stringify(join(DIST, "intg.cjs"))});`;
    const env = { PATH: process.env.PATH ?? "", HOME: dir.path, XDG_DATA_HOME: dir.path };
    const r = spawnSync(process.execPath, ["-e", script], { env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const loaded = (JSON.parse(r.stderr) as string[]).map((f) => f.slice(DIST.length));
    expect(loaded[0]).toBe("main.cjs");
    expect(loaded.length).toBeLessThan(chunks.length / 2);
  });

  const env = { PATH: process.env.PATH ?? "", HOME: dir.path, INTG_DATABASE_URL: `file:${join(dir.path, "v.db")}` };
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(DIST, "../bin/intg.js"), ...args], { env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  };
  /** Runs the built CLI with `args`; its stdout, and the modules it required and the chunks it ran. */
  const probe = (args: string[], input?: string) => {
    const script = `
      const Module = require("node:module"), required = [], plain = Module.prototype.require;
      Module.prototype.require = function (id) { required.push(id); return plain.call(this, id); };
      const vm = require("node:vm"), Script = vm.Script, chunks = [];
      vm.Script = class extends Script { constructor(s, o) { super(s, o); chunks.push(o.filename); } };
      process.on("exit", () => process.stderr.write(JSON.stringify({ required, chunks })));
      process.argv.push("intg", ...${JSON.stringify(args)});
      require(${JSON.stringify(join(DIST, "intg.cjs"))});`;
    const r = spawnSync(process.execPath, ["-e", script], { env, input, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const { required, chunks } = JSON.parse(r.stderr) as { required: string[]; chunks: string[] };
    expect(required).toContain("node:fs"); // the hook saw the CLI's requires
    expect(chunks.length).toBeGreaterThan(3);
    return { stdout: r.stdout, required, chunks: chunks.map((f) => f.slice(DIST.length)) };
  };
  /** The one chunk that holds Kysely's query builders. */
  const kyselyChunk = () => {
    const kysely = readdirSync(DIST).filter(
      (f) => /^cli-.*\.cjs$/.test(f) && readFileSync(join(DIST, f), "utf8").includes("SelectQueryBuilderImpl"),
    );
    expect(kysely).toHaveLength(1);
    return kysely[0]!;
  };

  it("verifies a key without loading node:crypto or Kysely (~4 ms and ~2 ms of every keys verify)", () => {
    cli("db", "migrate");
    const { key } = JSON.parse(cli("keys", "create", "--name", "v", "--json"));
    const r = probe(["keys", "verify", "--json"], key);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, outcome: "VALID" });
    expect(r.required.filter((id) => /^(node:)?crypto$/.test(id))).toEqual([]);
    // Nor Kysely (prepared-run.ts): the chunk that holds its query builders is not among those run.
    expect(r.chunks).not.toContain(kyselyChunk());
    // The verification was recorded, with an id drawn from the kernel's generator.
    const listed = { stdout: cli("keys", "list", "--json") };
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({ useCount: 1 });
  });

  it("lists every key as JSON without loading Kysely; a filter or the table loads it", () => {
    cli("db", "migrate");
    cli("keys", "create", "--name", "listed", "--meta", "team=a", "--json");
    const all = probe(["keys", "list", "--json"]);
    expect(all.chunks).not.toContain(kyselyChunk());
    const views = JSON.parse(all.stdout) as { name: string; metadata: unknown }[];
    expect(views.find((v) => v.name === "listed")?.metadata).toEqual({ team: "a" });
    // The same keys through the query builder and the views, as the table and fields print them.
    const filtered = probe(["keys", "list", "--env", "live", "--json"]);
    expect(filtered.chunks).toContain(kyselyChunk());
    expect(filtered.stdout).toBe(all.stdout);
    expect(probe(["keys", "list", "--json", "id,name"]).chunks).toContain(kyselyChunk());
  });

  it("sends through undici from a code-cached chunk of its own, not from node_modules", () => {
    // From the package, its 60 files were compiled from source on every start of the worker, replay,
    // health checks and connections; its internal files must not be reached into either.
    const bundled = readdirSync(DIST).filter(
      (f) => /^cli-.*\.cjs$/.test(f) && readFileSync(join(DIST, f), "utf8").includes('"node_modules/undici/index.js"'),
    );
    expect(bundled).toHaveLength(1);
    cli("db", "migrate");
    const worker = probe(["-q", "webhooks", "worker", "--once"]);
    expect(worker.chunks).toContain(bundled[0]);
    expect(worker.required.filter((id) => /^undici($|\/)/.test(id))).toEqual([]);
  });

  it("holds no Prisma client: the CLI never loads one", () => {
    const files = readdirSync(DIST);
    expect(files.filter((f) => /prisma/i.test(f))).toEqual([]);
    for (const f of files.filter((f) => f.endsWith(".cjs"))) {
      expect(readFileSync(join(DIST, f), "utf8"), f).not.toMatch(
        /require\("@prisma\/client|generated\/(sqlite|postgresql)\/client/,
      );
    }
  });

  it("migrates and queries through the developer entry", () => {
    const script = `
      const t = require(${JSON.stringify(join(DIST, "dev-tools.cjs"))});
      (async () => {
        const target = t.parseDbUrl(${JSON.stringify(`file:${join(dir.path, "b.db")}`)}, "--db", "/");
        await t.applyPendingMigrations(target);
        const db = await t.openDatabase(target, { autoMigrate: false });
        const keys = await db.sql.get('SELECT COUNT(*) AS "n" FROM "ApiKey"');
        console.log(JSON.stringify({ keys: keys.n, migrations: (await db.sql.all('SELECT 1 FROM "_prisma_migrations"')).length }));
        await db.close();
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.keys).toBe(0);
    expect(out.migrations).toBeGreaterThan(0);
  });
});
