// Build: check the two schemas are current, generate both Prisma clients and the Kysely types, type-check,
// then bundle src/main.ts into one CommonJS file, dist/main.cjs, and the library entries. The CLI
// starts again for every command, and one synchronously required file starts faster than a tree of
// ES modules read asynchronously (measured with `npm run bench`). Dependencies stay in node_modules
// but for the few nearly every command needs. The CLI never loads Prisma's client.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const BUNDLED = ["commander", "better-sqlite3", "kysely", "@noble/hashes", "undici"];
const require = createRequire(import.meta.url);
function step(args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
step([join(root, "scripts/write-schemas.mjs"), "--check"]);
step([join(root, "scripts/generate-clients.mjs")]);
step([require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.json"), "--noEmit"]);

rmSync(join(root, "dist"), { recursive: true, force: true });
const { build, transform } = await import("esbuild");
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  target: "node20",
  external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.includes(name)),
  // CommonJS has no import.meta; every use of it here only needs this file's URL. Worked out on
  // use: a command loads dozens of chunks, and few of them ask.
  define: { "import.meta.url": "__intgMeta.url" },
  banner: { js: 'var __intgMeta={get url(){return require("node:url").pathToFileURL(__filename).href}};' },
  // import() becomes require(): the launcher runs the bundle as a vm.Script (for its code cache),
  // where Node 20 cannot import(); and Node 20.19+ require()s ES modules such as chalk.
  supported: { "dynamic-import": false },
  logLevel: "warning",
};
// commander requires child_process at load, for executable subcommands intg never uses; that pulls
// in net, dgram and more on every start-up. It gets child_process on first use instead.
const lazyChildProcess = {
  name: "lazy-child-process-for-commander",
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes("/commander/") ? { path: "lazy", namespace: "lazy-child-process" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-child-process" }, () => ({
      contents: 'module.exports = { spawn: (...args) => require("node:child_process").spawn(...args) };',
      loader: "js",
    }));
  },
};
const out = { outdir: "dist", format: "cjs", outExtension: { ".js": ".cjs" } };

// Every keyed prepared statement (src/db/prepared.ts) compiled on both providers now, from the
// query modules as they are, so that the CLI runs them without building them with Kysely first.
// The same text goes to dist/prepared-sql.json, which a test holds to what Kysely compiles.
async function keyedStatements() {
  const queries = join(root, "src/db/queries");
  const modules = readdirSync(queries, { recursive: true }).filter((f) => f.endsWith(".ts"));
  const entry = join(root, "dist", ".prepared-sql.cjs");
  await build({
    ...common,
    format: "cjs",
    outfile: entry,
    stdin: {
      contents: [
        ...modules.map((f) => `import ${JSON.stringify(`./src/db/queries/${f.replaceAll("\\", "/")}`)};`),
        'export { keyedStatementTexts } from "./src/db/prepared.ts";',
      ].join("\n"),
      resolveDir: root,
      loader: "ts",
    },
  });
  try {
    return require(entry).keyedStatementTexts();
  } finally {
    rmSync(entry);
  }
}
mkdirSync(join(root, "dist"), { recursive: true });
const statements = await keyedStatements();
writeFileSync(join(root, "dist/prepared-sql.json"), `${JSON.stringify(statements, null, 2)}\n`);
// The CLI's createRequire(import.meta.url) is the require the launcher gives each chunk (they all
// sit in dist/, so both resolve alike): node:module would load Node's ES module loader on start-up.
// A require for any other place is still made by node:module.
const chunkRequire = {
  name: "chunk-require",
  setup(b) {
    b.onResolve({ filter: /^node:module$/ }, (args) =>
      args.importer.includes(`${root}/src/`) ? { path: "chunk-require", namespace: "chunk-require" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "chunk-require" }, () => ({
      contents: [
        "export function createRequire(from) {",
        "  const chunk = /[\\\\/]dist[\\\\/][^\\\\/]+\\.cjs$/.test(String(from));",
        '  return chunk ? require : require("node:module").createRequire(from);',
        "}",
      ].join("\n"),
      loader: "js",
    }));
  },
};
const precompiled = {
  name: "precompiled-statements",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]db[\\/]precompiled\.ts$/ }, () => ({
      contents: `export const PRECOMPILED = ${JSON.stringify(statements)};`,
      loader: "js",
    }));
  },
};
// Every command reads and deserialises the code it loads before it runs: without whitespace and
// with shorter syntax it starts ~4 ms sooner (names are kept, so a stack trace still reads).
const minify = { minifyWhitespace: true, minifySyntax: true };

// The CLI: split at every import() (a noun, a verb, what only a few commands use) into chunks
// that share their modules, so a command loads only what it runs, not the whole CLI. esbuild
// splits ES modules only: each chunk is then turned into CommonJS, which the launcher runs as a
// vm.Script with its code cache (Node 20 cannot import() there); import() becomes require().
const cli = await build({
  ...common,
  ...minify,
  format: "esm",
  splitting: true,
  outdir: "dist",
  outExtension: { ".js": ".cjs" },
  chunkNames: "cli-[hash]",
  write: false,
  entryPoints: { main: "src/main.ts" },
  define: {},
  banner: {},
  supported: {},
  plugins: [lazyChildProcess, precompiled, chunkRequire],
});
for (const file of cli.outputFiles) {
  const { code } = await transform(file.text, {
    ...minify,
    format: "cjs",
    target: common.target,
    define: common.define,
    banner: common.banner.js,
    supported: common.supported,
  });
  writeFileSync(file.path, code);
}

await build({
  ...common,
  ...out,
  ...minify,
  entryPoints: {
    "dev-tools": "src/dev-tools.ts",
    "webhook-store": "src/services/webhooks/worker/store-thread-main.ts",
    "transform-thread": "src/lib/transform-thread.cjs",
  },
  plugins: [lazyChildProcess],
});

// The library (package.json "exports"): ES modules for apps that import it, every dependency left
// to the app's node_modules, beside the CLI's files so that the worker threads' files resolve the
// same way. Their declarations come from tsc.
await build({
  ...common,
  format: "esm",
  outdir: "dist",
  splitting: true,
  entryPoints: { index: "src/index.ts", types: "src/types/public.ts" },
  external: Object.keys(pkg.dependencies),
  define: {},
  banner: {},
  supported: {},
});
// The same entries as CommonJS, for apps that require("intg"): one file each (CommonJS cannot
// split), beside the rest so that import.meta.url (as __filename) finds the worker threads' files.
await build({
  ...common,
  outdir: "dist",
  format: "cjs",
  outExtension: { ".js": ".cjs" },
  entryPoints: { index: "src/index.ts", types: "src/types/public.ts" },
  external: Object.keys(pkg.dependencies),
});
step([require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.lib.json")]);
// Declarations for require("intg"): in this "type": "module" package a .d.ts reads as an ES module,
// which TypeScript refuses to require() (module node16, or before 5.8). The same files under a
// package.json saying "commonjs" read as CommonJS.
cpSync(join(root, "dist/types"), join(root, "dist/cjs-types"), { recursive: true });
writeFileSync(join(root, "dist/cjs-types/package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);

// The launcher, and the code caches it loads, made by running the common commands (argument
// parsing, the database, a list rendered as JSON, a verification, the migrations' status) on a
// throwaway database.
copyFileSync(join(root, "scripts/launcher.cjs"), join(root, "dist/intg.cjs"));
const scratch = mkdtempSync(join(tmpdir(), "intg-build-"));
try {
  const env = { PATH: process.env.PATH, HOME: scratch, XDG_DATA_HOME: scratch };
  const intg = (args, extra = {}, stdout = "ignore", input = "") =>
    spawnSync(process.execPath, [join(root, "dist/intg.cjs"), ...args], {
      env: { ...env, ...extra },
      input,
      stdio: ["pipe", stdout, "ignore"],
      encoding: "utf8",
    });
  const created = intg(["-q", "keys", "create", "--name", "code-cache"], {}, "pipe"); // a key to list and verify
  const cache = { INTG_WRITE_CODE_CACHE: "1" };
  // First, as the commands below write the caches of the chunks they share with it: the webhook
  // store thread's cache (nothing is queued: it opens, claims nothing and stops).
  intg(["webhooks", "worker", "--once"], cache);
  intg(["keys", "list", "--json"], cache);
  intg(["keys", "verify", "--json"], cache, "ignore", created.stdout);
  intg(["db", "status", "--json"], cache);
  // Every other chunk: a cache of its top level, so that no command compiles a chunk from nothing.
  intg(["--version"], { INTG_WRITE_CODE_CACHE: "rest" });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
