// The thread behind the transform pool (src/lib/transform-pool.ts). Plain CommonJS so that the same
// file runs from source (the tests) and, bundled by scripts/build.mjs, beside dist/main.cjs.
// It evaluates one JSONata expression at a time; the pool terminates it when one overruns its time.
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const jsonata = require("jsonata");

const { timeoutMs, maxDepth, maxOutputBytes } = workerData;
// Compiled expressions by text: a worker serves a few endpoints over and over.
const compiled = new Map();

function compile(expression) {
  let e = compiled.get(expression);
  if (!e) {
    // jsonata's own guardrails stop deep recursion and long loops between steps; a step that never
    // returns (a catastrophic regular expression) is the pool's to stop.
    e = jsonata(expression, { timeout: timeoutMs, stack: maxDepth });
    if (compiled.size >= 100) compiled.delete(compiled.keys().next().value);
    compiled.set(expression, e);
  }
  return e;
}

function reason(error) {
  if (error && error.code === "D1011") return `it nested deeper than ${maxDepth} levels`;
  if (error && error.code === "D1012") return `BUDGET`;
  return error?.message || String(error);
}

parentPort.on("message", async ({ id, expression, input, bindings }) => {
  try {
    const result = await compile(expression).evaluate(JSON.parse(input), bindings && JSON.parse(bindings));
    // A round trip through JSON gives plain values (jsonata tags its arrays), measured here.
    const text = result === undefined ? null : JSON.stringify(result);
    if (text !== null && Buffer.byteLength(text) > maxOutputBytes) {
      parentPort.postMessage({ id, error: `its result is over the ${maxOutputBytes} byte limit`, limit: true });
    } else parentPort.postMessage({ id, value: text });
  } catch (error) {
    const why = reason(error);
    parentPort.postMessage({ id, error: why, limit: why === "BUDGET" || why.startsWith("it nested") });
  }
});
parentPort.postMessage("ready");
