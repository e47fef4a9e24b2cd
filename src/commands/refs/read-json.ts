import { readFileSync } from "node:fs";
import type { CommandContext } from "../../cli/context.js";
import { UsageError } from "../../errors.js";
import type { JsonValue } from "../../types/common.js";

// A mapping or a record is small; a far larger input is the wrong file.
const MAX_BYTES = 8 * 1024 * 1024;

/** JSON from a file, or from stdin for '-' (refused when stdin is a terminal). */
export async function readJson(ctx: CommandContext, file: string, what: string): Promise<JsonValue> {
  let text: string;
  if (file === "-") {
    if (ctx.deps.io.stdinIsTTY)
      throw new UsageError(`${what} is read from stdin, but stdin is a terminal.`, "Pipe the JSON in, or give a file.");
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.deps.io.stdin) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      if ((size += buf.length) > MAX_BYTES)
        throw new UsageError(`stdin holds more than ${MAX_BYTES / 1024 / 1024} MiB; ${what} is smaller.`);
      chunks.push(buf);
    }
    text = Buffer.concat(chunks).toString("utf8");
  } else {
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(
        `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      );
    }
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new UsageError(`${what} is not valid JSON: ${(error as Error).message}.`, undefined, "INVALID_JSON");
  }
}
