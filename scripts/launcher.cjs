// Built to dist/intg.cjs. Runs the CLI, dist/main.cjs, and the chunks it loads on the way
// (dist/cli-*.cjs: each noun, verb and what only they use), each with the V8 code cache made for
// it at build time (<file>.cache), so a command starts without compiling its code again: Node 20
// has no compile cache of its own, and every command pays its start-up. A command reads and
// deserialises only the chunks it runs (`keys list` ~0.4 MB of the CLI's 1.1 MB). V8 refuses a
// cache made by another Node or for other source; that chunk is then compiled as usual.
"use strict";
const { existsSync, readdirSync, readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const vm = require("node:vm");

// The chunks require one another by a relative name ("./cli-….cjs"); Node's own require would
// stat and resolve each one first. Everything else (node:*, the externals) goes to this file's
// require: the chunks sit beside it. (node:module, for createRequire, loads Node's ES module
// loader: the build gives the chunks this require for it instead.)
const nodeRequire = require;
const wrap = (source) => `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
const CHUNK = /^\.\/((?:main|cli-[\w-]+)\.cjs)$/;
const loaded = new Map();
const scripts = [];

function load(name) {
  const known = loaded.get(name);
  if (known) return known.exports;
  const file = join(__dirname, name);
  const mod = { exports: {}, filename: file, id: file, loaded: false };
  loaded.set(name, mod);
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    // no cache yet: compile as usual
  }
  const script = new vm.Script(wrap(readFileSync(file, "utf8")), { filename: file, cachedData });
  scripts.push({ file, script });
  script.runInThisContext().call(mod.exports, mod.exports, chunkRequire, mod, file, __dirname);
  mod.loaded = true;
  return mod.exports;
}

function chunkRequire(id) {
  const chunk = CHUNK.exec(id);
  return chunk ? load(chunk[1]) : nodeRequire(id);
}
chunkRequire.resolve = nodeRequire.resolve;
chunkRequire.cache = nodeRequire.cache;
chunkRequire.main = require.main;

// The build runs representative commands with this set; each writes, for every chunk it loaded,
// a cache that also holds the functions the command compiled on the way.
// With "rest", every chunk that has no cache yet gets one of its top level (the functions a
// command runs are then compiled on their first call), so that no command compiles one from nothing.
if (process.env.INTG_WRITE_CODE_CACHE)
  process.once("exit", () => {
    for (const { file, script } of scripts) writeFileSync(`${file}.cache`, script.createCachedData());
    if (process.env.INTG_WRITE_CODE_CACHE !== "rest") return;
    for (const name of readdirSync(__dirname)) {
      const file = join(__dirname, name);
      if (!CHUNK.test(`./${name}`) || existsSync(`${file}.cache`)) continue;
      const script = new vm.Script(wrap(readFileSync(file, "utf8")), { filename: file });
      writeFileSync(`${file}.cache`, script.createCachedData());
    }
  });
// A worker thread started on this file (the webhook store, store-thread.ts) names the bundle
// beside it that it runs, so that the thread too starts from a code cache: compiled from nothing,
// the store's 0.3 MB cost every worker and replay ~20 ms before its first claim.
const thread = process.argv.indexOf("--intg-thread");
const entry = thread > 0 ? process.argv[thread + 1] : "main.cjs";
if (!/^[\w-]+\.cjs$/.test(entry)) throw new Error(`intg: no such entry ${entry}`);
load(entry);
