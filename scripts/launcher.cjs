// Built to dist/intg.cjs. Loads dist/main.cjs with the V8 code cache made at build time
// (dist/main.cjs.cache), so a command starts without compiling the bundle again: Node 20 has no
// compile cache of its own, and every command pays its start-up. V8 refuses a cache made by
// another Node or for other source; this is then an ordinary compile.
"use strict";
const { readFileSync, writeFileSync } = require("node:fs");
const Module = require("node:module");
const { dirname, join } = require("node:path");
const vm = require("node:vm");

const file = join(__dirname, "main.cjs");
let cachedData;
try {
  cachedData = readFileSync(`${file}.cache`);
} catch {
  // no cache yet: compile as usual
}
const script = new vm.Script(Module.wrap(readFileSync(file, "utf8")), {
  filename: file,
  cachedData,
});
// The build runs one representative command with this set, after which the cache also holds the
// functions that command compiled on the way.
if (process.env.INTG_WRITE_CODE_CACHE)
  process.once("exit", () => writeFileSync(`${file}.cache`, script.createCachedData()));
const mod = new Module(file, module);
mod.filename = file;
mod.paths = Module._nodeModulePaths(dirname(file));
script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
