import { readFileSync } from "node:fs";
import type { CommandContext } from "../../cli/context.js";
import { UsageError } from "../../errors.js";
import { parseDurationFlag } from "../../cli/parse.js";
import { parseSecretFile } from "../../lib/webhook-verify.js";

// Inputs shared by `webhooks verify` and `webhooks listen`: the secret file and the tolerance.

// A captured request is a webhook (Standard Webhooks advises bodies under ~20 KB): far more is a wrong file.
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/**
 * The secrets to verify with: one a line, the current one first, then older ones still accepted
 * during a rotation. Read from a file only (never a flag, DESIGN §5), and never echoed back.
 */
export function readSecretFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `Cannot read the secret file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
  const secrets = parseSecretFile(text);
  if (secrets.length === 0)
    throw new UsageError(
      `The secret file ${file} holds no secret.`,
      "Put one signing secret (whsec_…) on each line, the current one first.",
      "EMPTY_SECRET",
    );
  if (secrets.some((s) => s.length > 1024))
    throw new UsageError(`The secret file ${file} has a line longer than 1024 characters: is it the right file?`);
  return secrets;
}

export function parseTolerance(text: string): number {
  return parseDurationFlag("--tolerance", text);
}

/** A request file's bytes, or stdin's when no file (or '-') is given. */
export async function readRequestInput(ctx: CommandContext, file: string | undefined): Promise<Buffer> {
  if (file !== undefined && file !== "-") {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw new UsageError(
        `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      );
    }
    if (bytes.length > MAX_REQUEST_BYTES)
      throw new UsageError(`${file} is larger than ${MAX_REQUEST_BYTES / 1024 / 1024} MiB: is it a captured request?`);
    return bytes;
  }
  if (ctx.deps.io.stdinIsTTY)
    throw new UsageError(
      "No request to verify: stdin is a terminal.",
      "Pipe the captured request in, or give its file: intg webhooks verify --secret-file <f> request.http",
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.deps.io.stdin) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    if ((size += buf.length) > MAX_REQUEST_BYTES)
      throw new UsageError(`stdin holds more than ${MAX_REQUEST_BYTES / 1024 / 1024} MiB: is it a captured request?`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
