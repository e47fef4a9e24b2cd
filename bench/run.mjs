// `npm run bench`: each benchmark measures the project and the machine's limit side by side, in
// the same run, and prints their medians and ratio. Timings are noisy on a shared machine: quote
// ratios. Not a test; CI never runs it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { coldStart } from "./cold-start.mjs";
import { connections } from "./connections.mjs";
import { keys } from "./keys.mjs";
import { webhooks } from "./webhooks.mjs";

if (!existsSync(fileURLToPath(new URL("../dist/intg.cjs", import.meta.url)))) {
  console.error("dist/ is missing: run `npm run build` first");
  process.exit(1);
}

const benches = [coldStart, keys, webhooks, connections];
const rows = [];
for (const bench of benches) {
  process.stderr.write(`running ${bench.name}…\n`);
  rows.push(...(await bench()));
}

const fmt = (r) => [r.figure, `${r.project} ${r.unit}`, `${r.limit} ${r.unit}`, r.limitName, `${r.ratio.toFixed(2)}x`, r.target ?? ""];
const table = [["figure", "project (median)", "limit (median)", "limit is", "ratio", "target"], ...rows.map(fmt)];
const widths = table[0].map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
for (const [i, r] of table.entries()) {
  console.log(r.map((c, j) => String(c).padEnd(widths[j])).join("  ").trimEnd());
  if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
}
