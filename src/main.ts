import { openDatabase } from "./db/client.js";
import type { Deps } from "./cli/deps.js";
import { ExitCode } from "./cli/exit-codes.js";
import { run } from "./cli/run.js";
import { descriptorWriter, isTerminal, readDescriptor } from "./cli/stdio.js";

// The only module that reads process.*: it builds the real dependencies and sets the exit code.

// Made when a command first asks for the signal (few do): AbortController loads a module of its own.
let stop: AbortController | undefined;
let stopped = false;
const abort = () => {
  stopped = true;
  stop?.abort();
};
const stdoutIsTTY = isTerminal(1);
const deps: Deps = {
  io: {
    // process.stdin and process.stderr are built on first touch (stdin loads fs streams, ~3 ms):
    // most commands never read stdin, and print nothing on stderr. isTerminal() asks without
    // building. A stdout that is no terminal is written to directly (see descriptorWriter).
    get stdin() {
      return process.stdin;
    },
    readStdin: (max) => readDescriptor(0, max, () => process.stdin),
    stdout: stdoutIsTTY
      ? quietOnClosedPipe(process.stdout)
      : descriptorWriter(1, () => quietOnClosedPipe(process.stdout), closedPipe),
    get stderr() {
      return quietOnClosedPipe(process.stderr);
    },
    stdinIsTTY: isTerminal(0),
    stdoutIsTTY,
    stderrIsTTY: isTerminal(2),
    get columns() {
      return stdoutIsTTY ? process.stdout.columns : undefined;
    },
  },
  env: process.env,
  cwd: process.cwd(),
  now: () => new Date(),
  openDatabase,
  get signal() {
    if (!stop) {
      stop = new AbortController();
      if (stopped) stop.abort();
    }
    return stop.signal;
  },
  interruptExpected: () => {
    interrupted = false;
  },
  finishOnClosedPipe: () => {
    finishing = true;
  },
  stdoutLost: () => lost,
};
let finishing = false;
let lost = false;

/**
 * A reader that went away (`intg keys list | head -1`) ends the command: exit 0 and no trace, as
 * gh and the shell's own tools do. Node ignores SIGPIPE, so the closed pipe arrives as EPIPE.
 */
function quietOnClosedPipe<T extends NodeJS.WriteStream>(stream: T): T {
  if (stream.listenerCount("error") === 0) stream.on("error", closedPipe);
  return stream;
}

function closedPipe(err: NodeJS.ErrnoException): void {
  if (err.code === "EPIPE" && finishing) return void (lost = true); // the command finishes; its output is dropped
  if (err.code === "EPIPE") process.exit(interrupted ? ExitCode.INTERRUPTED : ExitCode.OK);
  throw err;
}

let interrupted = false;
process.once("SIGINT", () => {
  interrupted = true;
  process.exitCode = ExitCode.INTERRUPTED;
  abort();
  // A second Ctrl-C stops at once, skipping cleanup (clig.dev).
  process.once("SIGINT", () => process.exit(ExitCode.INTERRUPTED));
});

// SIGTERM (a service manager stopping the worker) asks for the same graceful stop as Ctrl-C.
process.once("SIGTERM", () => {
  interrupted = true;
  process.exitCode = ExitCode.INTERRUPTED;
  abort();
  process.once("SIGTERM", () => process.exit(ExitCode.INTERRUPTED));
});

void run(process.argv.slice(2), deps).then((code) => {
  process.exitCode = interrupted ? ExitCode.INTERRUPTED : code;
});
