// Preloaded into a measured `intg` process (node -r): writes its peak resident memory, in bytes,
// to the file BENCH_RSS_FILE names when it exits.
const file = process.env.BENCH_RSS_FILE;
if (file)
  process.on("exit", () => require("node:fs").writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
