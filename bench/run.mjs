// `npm run bench`: each benchmark measures the project and the machine's limit side by side, in
// the same run, and prints their medians and ratio. Timings are noisy on a shared machine: quote
// ratios. Not a test; CI never runs it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { coldStart } from "./cold-start.mjs";
import { connections } from "./connections.mjs";
import { doctor } from "./doctor.mjs";
import { fairness } from "./fairness.mjs";
import { keys } from "./keys.mjs";
import { refs } from "./refs.mjs";
import { webhooks } from "./webhooks.mjs";

if (!existsSync(fileURLToPath(new URL("../dist/intg.cjs", import.meta.url)))) {
  console.error("dist/ is missing: run `npm run build` first");
  process.exit(1);
}

// `npm run bench -- keys webhooks` runs only the named benchmarks.
const all = [coldStart, keys, webhooks, fairness, connections, refs, doctor];
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.some((b) => b.name === w));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(", ")} (known: ${all.map((b) => b.name).join(", ")})`);
  process.exit(2);
}
const benches = wanted.length === 0 ? all : all.filter((b) => wanted.includes(b.name));
const rows = [];
for (const bench of benches) {
  process.stderr.write(`running ${bench.name}…\n`);
  rows.push(...(await bench()));
}

const fmt = (r) => [
  r.figure,
  `${r.project} ${r.unit}`,
  `${r.limit} ${r.unit}`,
  r.limitName,
  r.ratio === null ? "-" : `${r.ratio.toFixed(2)}x`,
  r.target ?? "",
];
const table = [["figure", "project (median)", "limit (median)", "limit is", "ratio", "target"], ...rows.map(fmt)];
const widths = table[0].map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
for (const [i, r] of table.entries()) {
  console.log(
    r
      .map((c, j) => String(c).padEnd(widths[j]))
      .join("  ")
      .trimEnd(),
  );
  if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
}
