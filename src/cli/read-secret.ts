import { readFileSync } from "node:fs";
import type { CommandContext } from "./context.js";
import { UsageError } from "./errors.js";

/**
 * Reads a secret the safe ways (DESIGN §5): a file, an environment variable, or piped stdin; never
 * a flag, which would leak into `ps` and shell history. Trailing newlines are dropped, since
 * `echo` and editors add them. An empty value is a usage error.
 */
export async function readSecret(ctx: CommandContext, what: string, from: { file?: string; envVar?: string }): Promise<string> {
  let value: string;
  let source: string;
  if (from.file !== undefined) {
    source = from.file;
    try {
      value = readFileSync(from.file, "utf8");
    } catch (error) {
      throw new UsageError(`Cannot read ${what} from ${from.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
  } else if (from.envVar !== undefined && ctx.deps.env[from.envVar] !== undefined) {
    source = `$${from.envVar}`;
    value = ctx.deps.env[from.envVar]!;
  } else if (!ctx.deps.io.stdinIsTTY) {
    source = "stdin";
    value = await readAll(ctx.deps.io.stdin);
  } else {
    throw new UsageError(`No ${what} given.`, `Pipe it on stdin${from.envVar ? `, set ${from.envVar}` : ""}, or pass a file.`);
  }
  value = value.replace(/[\r\n]+$/, "");
  if (value.trim() === "") throw new UsageError(`The ${what} read from ${source} is empty.`);
  return value;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  stream.setEncoding("utf8");
  for await (const chunk of stream) text += chunk as string;
  return text;
}
