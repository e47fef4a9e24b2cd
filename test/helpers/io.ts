import { PassThrough } from "node:stream";
import type { Deps, IO } from "../../src/cli/deps.js";
import type { Database } from "../../src/db/client.js";
import type { DbTarget } from "../../src/db/url.js";
import { openDatabase } from "../../src/db/client.js";
import { run } from "../../src/cli/run.js";

export interface TestIO extends IO {
  out(): string;
  err(): string;
}

/** Captured streams; every stream starts as non-TTY, as in CI. */
export function createTestIO(tty: Partial<Pick<IO, "stdinIsTTY" | "stdoutIsTTY" | "stderrIsTTY">> = {}): TestIO {
  let out = "";
  let err = "";
  return {
    stdin: new PassThrough(),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    ...tty,
    out: () => out,
    err: () => err,
  };
}

export interface TestDeps extends Deps {
  io: TestIO;
  opened: DbTarget[];
}

/** Real dependencies over captured streams, a fixed clock and an explicit environment. */
export function testDeps(overrides: Partial<Omit<Deps, "io">> & { io?: TestIO } = {}): TestDeps {
  const opened: DbTarget[] = [];
  const open = overrides.openDatabase ?? openDatabase;
  return {
    io: overrides.io ?? createTestIO(),
    env: overrides.env ?? { HOME: "/nonexistent-home" },
    cwd: overrides.cwd ?? process.cwd(),
    now: overrides.now ?? (() => new Date("2026-01-15T12:00:00.000Z")),
    opened,
    signal: overrides.signal ?? new AbortController().signal,
    openDatabase: (target, options): Promise<Database> => {
      opened.push(target);
      return open(target, options);
    },
  };
}

export async function runCli(argv: string[], deps: TestDeps = testDeps()) {
  const code = await run(argv, deps);
  return { code, stdout: deps.io.out(), stderr: deps.io.err(), deps };
}
