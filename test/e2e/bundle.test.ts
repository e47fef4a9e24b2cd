import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
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

  it("ships a V8 code cache for the bundle that this Node accepts", () => {
    // If the cache were missing or rejected, every command would silently compile the bundle again.
    const script = `
      const vm = require("node:vm"), fs = require("node:fs"), Module = require("node:module");
      const file = ${JSON.stringify(join(DIST, "main.cjs"))};
      const s = new vm.Script(Module.wrap(fs.readFileSync(file, "utf8")), { filename: file, cachedData: fs.readFileSync(file + ".cache") });
      console.log(JSON.stringify({ rejected: s.cachedDataRejected }));`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ rejected: false });
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
