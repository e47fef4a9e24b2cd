import type { CommandContext } from "../../cli/context.js";
import { UsageError } from "../../errors.js";
import { readSecret } from "../../cli/read-secret.js";
import {
  HeaderInputError,
  looksLikeCredential,
  mergeHeaders,
  parseHeaderLines,
  parseHeaderPair,
} from "../../lib/header-values.js";

// An endpoint's extra headers from the command line: `--header` for non-secret ones, and a file
// or stdin for credentials (a flag's value shows in `ps` and the shell's history). Every value is
// sealed at rest either way; messages name a flag or a line number, never a value.

export interface HeaderFlags {
  header: string[];
  headerFile?: string;
  headersStdin?: boolean;
}

type Headers = Record<string, string>;

const FLAG_HINT = "Write it like --header 'X-Team: billing'.";
const FILE_HINT = 'One "Name: value" a line, e.g. Authorization: Bearer <token>.';

function usage<T>(parse: () => T, hint?: string): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof HeaderInputError) {
      throw new UsageError(`${error.message}; nothing was written.`, hint, "INVALID_HEADER");
    }
    throw error;
  }
}

/** `--header` pairs; null for none. Bad input is exit 2. */
export function parseHeaders(pairs: string[]): Record<string, string> | null {
  if (pairs.length === 0) return null;
  return usage(() => mergeHeaders(pairs.map((p) => parseHeaderPair(p, "--header"))), FLAG_HINT);
}

/**
 * Every header flag as one set: `--header` pairs and the lines of `--header-file` or stdin. A
 * credential-looking name given with `--header` is warned about, not refused. undefined: none given.
 */
export async function readHeaderFlags(ctx: CommandContext, flags: HeaderFlags): Promise<Headers | null | undefined> {
  if (flags.headerFile !== undefined && flags.headersStdin) {
    throw new UsageError("Give --header-file or --headers-stdin, not both.");
  }
  const fromStdin = flags.headersStdin === true || flags.headerFile === "-";
  const pairs = usage(() => flags.header.map((p) => parseHeaderPair(p, "--header")), FLAG_HINT);
  for (const [name] of pairs) {
    if (!looksLikeCredential(name)) continue;
    ctx.out.warn(
      `--header ${name} looks like a credential: command-line flags show in \`ps\` and shell history. ` +
        "Give it with --header-file instead.",
    );
  }
  if (fromStdin || flags.headerFile !== undefined) {
    const text = await readSecret(ctx, {
      what: "header lines",
      file: fromStdin ? undefined : flags.headerFile,
      how: 'pipe "Name: value" lines on stdin, or use --header-file <path>',
    });
    pairs.push(...usage(() => parseHeaderLines(text, fromStdin ? "stdin" : "--header-file"), FILE_HINT));
  } else if (pairs.length === 0) return undefined;
  return usage(() => mergeHeaders(pairs));
}
