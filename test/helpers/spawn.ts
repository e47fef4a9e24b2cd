import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/intg.js", import.meta.url));

if (!existsSync(fileURLToPath(new URL("../../dist/intg.cjs", import.meta.url)))) {
  throw new Error("dist/ is missing: run `npm run build` before the end-to-end tests");
}

export interface SpawnResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built bin/intg with a clean environment (only what the test passes, plus PATH/HOME). */
export function intg(
  args: string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): Promise<SpawnResult> {
  return collect(
    spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", HOME: options.env?.HOME ?? "/nonexistent-home", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    }),
    options.input,
  );
}

/** A spawned process's exit code and output, once it closes; `input` (or nothing) is its stdin. */
export function collect(child: ChildProcessWithoutNullStreams, input?: string): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}
