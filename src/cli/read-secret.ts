import { readFileSync } from "node:fs";
import type { CommandContext } from "./context.js";
import { UsageError } from "../errors.js";

export interface SecretSource {
  /** What is read, for messages: "key", "secret value". */
  what: string;
  /** A file to read it from (--key-file, --from-file). */
  file?: string;
  /** An environment variable named on the command line (--from-env): it must be set. */
  env?: string;
  /** An environment variable used when set and nothing else was given (INTG_KEY). */
  defaultEnv?: string;
  /** On a terminal, ask for it with a masked prompt instead of refusing. */
  prompt?: boolean;
  /** How to give it, for the message when nothing was: "pipe it on stdin, or use --key-file <path>". */
  how: string;
}

// Credentials are small; a larger input is a mistake (a wrong file), not a secret.
const MAX_BYTES = 64 * 1024;

/**
 * Reads a secret the safe ways (DESIGN §5): a file, an environment variable, piped stdin, or a
 * masked prompt; never a flag, which would leak into `ps` and shell history. One trailing newline
 * is dropped (`echo … |` and editors add one), so `secrets reveal` fed back to `secrets set`
 * stores the same value. An empty or oversized value is a usage error: nothing is written.
 */
export async function readSecret(ctx: CommandContext, source: SecretSource): Promise<string> {
  const { what } = source;
  if (source.file !== undefined && source.env !== undefined)
    throw new UsageError(`Give the ${what} in a file or in an environment variable, not both.`);
  let value: string;
  if (source.env !== undefined) {
    const v = ctx.deps.env[source.env];
    if (v === undefined)
      throw new UsageError(
        `The environment variable ${source.env} is not set; nothing was written.`,
        undefined,
        "EMPTY_SECRET",
      );
    value = v;
  } else if (source.file !== undefined) {
    value = readFile(source.file);
  } else if (source.defaultEnv !== undefined && ctx.deps.env[source.defaultEnv] !== undefined) {
    value = ctx.deps.env[source.defaultEnv]!;
  } else {
    value = await readStdin(ctx, source);
  }
  value = value.replace(/\r?\n$/, "");
  if (value.trim().length === 0)
    throw new UsageError(
      `The ${what} is empty; nothing was written.`,
      `${source.how[0]!.toUpperCase()}${source.how.slice(1)}.`,
      "EMPTY_SECRET",
    );
  if (Buffer.byteLength(value) > MAX_BYTES)
    throw new UsageError(`The ${what} is larger than ${MAX_BYTES / 1024} KiB; nothing was written.`);
  return value;
}

function readFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; nothing was written.`,
    );
  }
}

async function readStdin(ctx: CommandContext, source: SecretSource): Promise<string> {
  const { io } = ctx.deps;
  if (io.stdinIsTTY) {
    if (!source.prompt || !io.stdoutIsTTY)
      throw new UsageError(`No ${source.what}: ${source.how}.`, undefined, "EMPTY_SECRET");
    const { password } = await import("@inquirer/prompts");
    return password(
      { message: "Value (hidden):", mask: true },
      { input: io.stdin, output: io.stderr as NodeJS.WritableStream },
    );
  }
  const tooLarge = () =>
    new UsageError(`The ${source.what} is larger than ${MAX_BYTES / 1024} KiB; nothing was written.`);
  if (io.readStdin) {
    const bytes = await io.readStdin(MAX_BYTES + 2);
    if (bytes.length > MAX_BYTES + 2) throw tooLarge();
    return bytes.toString("utf8");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_BYTES + 2) throw tooLarge();
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}
