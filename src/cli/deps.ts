import type { Database } from "../db/client.js";
import type { DbTarget, Env } from "../db/url.js";

/** The streams a command may touch, with their TTY state. Tests pass buffers and set the flags. */
export interface IO {
  stdin: NodeJS.ReadableStream;
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /**
   * All of stdin when it is no terminal, up to `max` bytes and possibly a few more: without it,
   * stdin is read as a stream. main.ts reads the descriptor itself (see stdio.ts); tests give a stream.
   */
  readStdin?(max: number): Promise<Buffer>;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** The terminal's width when stdout is one (tables fit it); COLUMNS overrides it. */
  columns?: number;
}

/**
 * Everything from the outside world, built once in src/main.ts (or by a test). Nothing under
 * src/commands or src/services reads process.*, so commands are tested without patching globals.
 */
export interface Deps {
  io: IO;
  env: Env;
  cwd: string;
  now(): Date;
  /** Opens the database; tests may count or refuse calls (e.g. to prove --help never opens it). */
  openDatabase(target: DbTarget, options: { autoMigrate: boolean }): Promise<Database>;
  /** Aborted on SIGINT or SIGTERM: long-running commands (the delivery worker) finish what is in flight and return. */
  signal: AbortSignal;
  /**
   * Called by a command whose normal end is SIGINT/SIGTERM (`webhooks listen`): it then exits with
   * its own code instead of 130. Optional, so test dependencies need not provide it.
   */
  interruptExpected?(): void;
  /**
   * Called by a command that writes as it prints (`refs import --json`): a reader that goes away
   * (`| head -1`) then no longer ends it half done; what it prints from there on is dropped, and it
   * ends with its own exit code. Optional, as above.
   */
  finishOnClosedPipe?(): void;
  /** After finishOnClosedPipe: whether a write to stdout found its reader gone. */
  stdoutLost?(): boolean;
}

/** Global flags, parsed once by the program and shared by every command. */
export interface GlobalOptions {
  db?: string;
  /** JSON output: `--json`, `--json a,b` or `--jq`. */
  json: boolean;
  /** `--json a,b`: only these fields of each object. */
  jsonFields?: string[];
  /** The fields the command declares (json-fields.ts), checked before it ran: its output may leave some out. */
  jsonFieldsDeclared?: readonly string[];
  /** `--jq <expr>`: the filter, loaded before the command runs. */
  jq?: string;
  color: boolean;
  quiet: boolean;
  yes: boolean;
}
