// Cold start of `intg db status --json` on a migrated SQLite database against `node -e 0`:
// every command pays the start-up, so it is part of every feature. Runs alternate so that both
// sides see the same machine state.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/intg.js", import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

function time(args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function coldStart() {
  const dir = mkdtempSync(join(tmpdir(), "intg-bench-"));
  const env = { PATH: process.env.PATH, HOME: dir, INTG_DATABASE_URL: `file:${join(dir, "bench.db")}` };
  try {
    time([BIN, "db", "migrate"], env);
    time([BIN, "db", "status", "--json"], env); // warm the file cache once, both sides
    time(["-e", "0"], env);
    const project = [];
    const limit = [];
    for (let i = 0; i < RUNS; i++) {
      project.push(time([BIN, "db", "status", "--json"], env));
      limit.push(time(["-e", "0"], env));
    }
    const p = median(project);
    const l = median(limit);
    return [{
      figure: `cold start: intg db status --json (SQLite, ${RUNS} runs)`,
      project: p.toFixed(0), limit: l.toFixed(0), unit: "ms", limitName: "node -e 0",
      ratio: p / l, target: "≤ 2.5x",
    }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
