import { UsageError } from "../../errors.js";
import { parseIntFlag, parseWhenFlag } from "../../cli/parse.js";
import { MAX_ID_LENGTH, TYPE_PATTERN } from "../../services/refs/rows.js";

// How records are named on the command line: `<type>:<id>`, e.g. user:42 or contact:901. The type
// is a short word; the id is everything after the first colon (provider ids may hold colons).

export function parseTyped(flag: string, text: string): { type: string; id: string } {
  const colon = text.indexOf(":");
  const type = colon > 0 ? text.slice(0, colon) : "";
  const id = colon > 0 ? text.slice(colon + 1) : "";
  if (!TYPE_PATTERN.test(type) || id.trim() === "" || id.length > MAX_ID_LENGTH || /[\u0000-\u001f]/.test(id)) {
    throw new UsageError(
      `${flag}: "${text}" is not <type>:<id>.`,
      `Write it like ${flag === "--entity" ? "user:42" : "contact:901"}: a type (letters, digits, _ . -) and an id.`,
      "INVALID_RECORD",
    );
  }
  return { type, id };
}

/** `--external <connection>:<type>:<id>` for lookup, where no --connection flag names the connection. */
export function parseQualifiedExternal(text: string): { connection: string; type: string; id: string } {
  const colon = text.indexOf(":");
  if (colon <= 0)
    throw new UsageError(
      `--external: "${text}" is not <connection>:<type>:<id>.`,
      "Write it like conn_01J…:contact:901, or give --connection and --external contact:901.",
      "INVALID_RECORD",
    );
  return { connection: text.slice(0, colon), ...parseTyped("--external", text.slice(colon + 1)) };
}

/** --since as a duration back from now (7d) or a date. */
export const parseSince = (text: string, now: Date): Date => parseWhenFlag("--since", text, now);

export function parseTypes(flag: string, values: string[]): string[] {
  const out = values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  for (const v of out)
    if (!TYPE_PATTERN.test(v))
      throw new UsageError(
        `${flag}: "${v}" is not a type name.`,
        "Types are letters, digits, _ . and -, like user or contact.",
      );
  return out;
}

export const parseLimit = (text: string): number =>
  parseIntFlag("--limit", text, 1, 100_000, "For more, use: intg refs export");
