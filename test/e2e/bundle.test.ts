import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/databases.js";
import "../helpers/spawn.js"; // fails early when dist/ is missing

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));

// The build splits the generated Prisma clients into files of their own, loaded on first use;
// this runs the built code (not src/) to prove the split still resolves.
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

  it("loads the Prisma client on demand and queries through it", () => {
    const script = `
      const t = require(${JSON.stringify(join(DIST, "dev-tools.cjs"))});
      (async () => {
        const target = t.parseDbUrl(${JSON.stringify(`file:${join(dir.path, "b.db")}`)}, "--db", "/");
        await t.applyPendingMigrations(target);
        const db = await t.openDatabase(target, { autoMigrate: false });
        const prisma = await db.prisma();
        console.log(JSON.stringify({ keys: await prisma.apiKey.count(), migrations: (await db.sql.all('SELECT 1 FROM "_prisma_migrations"')).length }));
        await db.close();
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.keys).toBe(0);
    expect(out.migrations).toBeGreaterThan(0);
  });
});
