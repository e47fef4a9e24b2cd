// Build: check the two schemas are current, generate both Prisma clients, type-check, then bundle
// src/main.ts into dist/. The bundle matters: the CLI starts again for every command, and loading
// one file instead of dozens of ES modules is most of its start-up budget. Dependencies stay in
// node_modules (but one, below); code loaded on demand (Prisma clients, the schema engine) lands in its own chunk.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const BUNDLED = ["commander", "better-sqlite3"];
const require = createRequire(import.meta.url);
function step(args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
step([join(root, "scripts/write-schemas.mjs"), "--check"]);
step([join(root, "scripts/generate-clients.mjs")]);
step([require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.json"), "--noEmit"]);

rmSync(join(root, "dist"), { recursive: true, force: true });
const { build } = await import("esbuild");
await build({
  absWorkingDir: root,
  entryPoints: { main: "src/main.ts", "dev-tools": "src/db/dev-tools.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Dependencies load from node_modules, except commander and better-sqlite3's JavaScript: nearly
  // every command needs them, and one bundled copy loads faster than their many CommonJS files.
  external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.includes(name)),
  chunkNames: "chunks/[name]-[hash]",
  // The bundled commander is CommonJS and require()s Node's built-ins, which ES modules lack.
  banner: { js: 'import { createRequire as __intgCreateRequire } from "node:module"; const require = __intgCreateRequire(import.meta.url);' },
  logLevel: "warning",
});
