// Shared by the benchmarks: timing a command's whole process, medians.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../bin/intg.js", import.meta.url));
export const RUNS = Number(process.env.BENCH_RUNS ?? 15);

export function timeProcess(args, env, input) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, input, stdio: ["pipe", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Runs `intg` to completion; its stdout, or an error naming the command and its stderr. */
export function intg(args, env) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`intg ${args.join(" ")} exited ${r.status}: ${String(r.stderr).slice(0, 2000)}`);
  return r.stdout.toString();
}

/** The environment of a webhook benchmark's commands: its own home and database, a fixed master key. */
export function webhookEnv(url, dir) {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    INTG_DATABASE_URL: url,
    INTG_MASTER_KEY: Buffer.alloc(32, 7).toString("base64"),
  };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Medians of a command and of `node -e 0`, run alternately so both see the same machine. */
export function coldStartRow(figure, args, env, input) {
  timeProcess(args, env, input); // warm the file cache, both sides
  timeProcess(["-e", "0"], env);
  const project = [];
  const limit = [];
  for (let i = 0; i < RUNS; i++) {
    project.push(timeProcess(args, env, input));
    limit.push(timeProcess(["-e", "0"], env));
  }
  const p = median(project);
  const l = median(limit);
  return {
    figure: `${figure} (${RUNS} runs)`,
    project: p.toFixed(0),
    limit: l.toFixed(0),
    unit: "ms",
    limitName: "node -e 0",
    ratio: p / l,
    target: "≤ 2.0x",
  };
}
