import { readFileSync } from "node:fs";
import type { CommandContext } from "../../cli/context.js";
import { UsageError } from "../../cli/errors.js";
import { TokenType } from "../../types/enums.js";
import type { IntegrationSecretInfo } from "../../types/integration/api.types.js";

// What the secrets verbs share: the token type flag, reading a value without a flag, rendering.

export const TOKEN_TYPES = Object.values(TokenType) as TokenType[];

/** `--type bearer-token`, `--type BEARER_TOKEN`: case and - versus _ do not matter. */
export function parseTokenType(text: string): TokenType {
  const wanted = text.trim().toUpperCase().replace(/-/g, "_");
  const found = TOKEN_TYPES.find((t) => t === wanted);
  if (!found) throw new UsageError(`Unknown token type "${text}"; nothing was written.`, `Use one of: ${TOKEN_TYPES.join(", ")}.`, "INVALID_TOKEN_TYPE");
  return found;
}

export interface ValueSource {
  fromFile?: string;
  fromEnv?: string;
}

// Credentials are small; a larger input is a mistake (a wrong file), not a secret.
const MAX_VALUE_BYTES = 64 * 1024;

/**
 * A secret's value, never from a flag (DESIGN §5): --from-file, --from-env, else stdin (piped) or
 * a masked prompt on a terminal. One trailing newline is dropped (`echo … |` and editors add one),
 * so `secrets reveal`'s output fed back to `secrets set` stores the same value.
 */
export async function readSecretValue(ctx: CommandContext, source: ValueSource): Promise<string> {
  if (source.fromFile !== undefined && source.fromEnv !== undefined) throw new UsageError("Give either --from-file or --from-env, not both.");
  let value: string;
  if (source.fromEnv !== undefined) {
    const v = ctx.deps.env[source.fromEnv];
    if (v === undefined) throw new UsageError(`The environment variable ${source.fromEnv} is not set; nothing was written.`, undefined, "EMPTY_SECRET");
    value = v;
  } else if (source.fromFile !== undefined) {
    value = readValueFile(source.fromFile);
  } else {
    value = await readStdin(ctx);
  }
  value = value.replace(/\r?\n$/, "");
  if (value.length === 0) throw new UsageError("The secret value is empty; nothing was written.", "Pipe it on stdin, or use --from-file <path> or --from-env <VAR>.", "EMPTY_SECRET");
  if (Buffer.byteLength(value) > MAX_VALUE_BYTES) throw new UsageError(`The secret value is larger than ${MAX_VALUE_BYTES / 1024} KiB; nothing was written.`);
  return value;
}

function readValueFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; nothing was written.`);
  }
}

async function readStdin(ctx: CommandContext): Promise<string> {
  const { io } = ctx.deps;
  if (io.stdinIsTTY) {
    if (!io.stdoutIsTTY) throw new UsageError("No secret value: pipe it on stdin, or use --from-file <path> or --from-env <VAR>.", undefined, "EMPTY_SECRET");
    const { password } = await import("@inquirer/prompts");
    return password({ message: "Value (hidden):", mask: true }, { input: io.stdin, output: io.stderr as NodeJS.WritableStream });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_VALUE_BYTES + 2) throw new UsageError(`The secret value is larger than ${MAX_VALUE_BYTES / 1024} KiB; nothing was written.`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function secretDetails(s: IntegrationSecretInfo): [string, string | null][] {
  return [
    ["id", s.id],
    ["name", s.name],
    ["type", s.tokenType],
    ["master key", s.masterKeyId],
    ["expires", s.expiresAt ?? "never"],
    ["rotated", s.rotatedAt ?? "never"],
    ["created", s.createdAt],
    ["updated", s.updatedAt],
  ];
}

export const SECRET_HEADERS = ["NAME", "ID", "TYPE", "MASTER KEY", "EXPIRES", "UPDATED"];

export function secretRow(s: IntegrationSecretInfo): string[] {
  return [s.name, s.id, s.tokenType, s.masterKeyId, s.expiresAt ?? "never", s.updatedAt];
}
