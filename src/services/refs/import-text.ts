import type { Readable } from "node:stream";
import { UsageError } from "../../errors.js";
import type { RawRecord } from "./import-sources.js";
import { checkedUtf8 } from "./import-utf8.js";

// The NDJSON and JSON-array readers of `refs import`: text as it arrives, split into records
// with the line each starts on, without ever holding the whole file.

/** A splitter takes text as it arrives and returns the complete records found so far. */
export interface Splitter {
  push(text: string, out: RawRecord[]): void;
  end(out: RawRecord[]): void;
}

export async function* textBatches(input: Readable, batchSize: number, splitter: Splitter): AsyncIterable<RawRecord[]> {
  const checked = checkedUtf8(input);
  checked.setEncoding("utf8");
  let batch: RawRecord[] = [];
  let first = true;
  try {
    for await (let chunk of checked as AsyncIterable<string>) {
      // A byte-order mark (a Windows editor's) is no part of the first record.
      if (first && chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
      splitter.push(chunk, batch);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  } finally {
    // Stopped early (an error, an interrupted import), the caller's stream is closed, as iterating
    // it directly did: piped on, it stayed open and paused (found in review).
    input.destroy();
  }
  splitter.end(batch);
  if (batch.length) yield batch;
}

function parseRecord(text: string, line: number): RawRecord {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value))
      return { line, error: "not a JSON object" };
    return { line, value: value as Record<string, unknown> };
  } catch (error) {
    return { line, error: `not valid JSON (${(error as Error).message})` };
  }
}

/** A record over the limit, reported for its line without being held (string length ≤ its UTF-8 bytes). */
export const tooLong = (line: number, max: number): RawRecord => ({
  line,
  error: `longer than ${max} bytes (--max-record-size)`,
});

/**
 * Over the limit in UTF-8 bytes, as --max-record-size counts: a string's length counts UTF-16 units,
 * up to three times fewer (a 1.8 MB line of "é" passed a 1 MB limit). Bytes are counted only when
 * the length leaves it open.
 */
const overLimit = (text: string, max: number): boolean =>
  text.length > max || (text.length * 3 > max && Buffer.byteLength(text) > max);

export function ndjsonSplitter(maxRecord = Infinity): Splitter {
  let rest = "";
  let line = 0;
  // A line already over the limit is dropped as it arrives: memory stays bounded by the limit.
  let skipping = false;
  const take = (text: string, out: RawRecord[]) => {
    line++;
    if (skipping) {
      skipping = false;
      out.push(tooLong(line, maxRecord));
    } else if (overLimit(text, maxRecord)) out.push(tooLong(line, maxRecord));
    else if (text.trim() !== "") out.push(parseRecord(text, line));
  };
  return {
    push(text, out) {
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      for (const part of parts) take(part, out);
      if (rest.length > maxRecord) {
        skipping = true;
        rest = "";
      }
    },
    end(out) {
      if (rest !== "" || skipping) take(rest, out);
    },
  };
}

/** The elements of one top-level JSON array, found by tracking strings and nesting depth. */
export function jsonArraySplitter(maxRecord = Infinity): Splitter {
  let state: "start" | "between" | "element" | "done" = "start";
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = "";
  let line = 1;
  let startLine = 1;
  return {
    push(text, out) {
      for (let i = 0; i < text.length; i++) {
        const ch = text[i]!;
        if (ch === "\n") line++;
        if (state === "element") {
          // Past the limit the element is only scanned for its end, not kept.
          if (element.length <= maxRecord) element += ch;
          if (inString) {
            if (escaped) escaped = false;
            else if (ch === "\\") escaped = true;
            else if (ch === '"') inString = false;
          } else if (ch === '"') inString = true;
          else if (ch === "{" || ch === "[") depth++;
          else if (ch === "}" || ch === "]") {
            if (--depth === 0) {
              out.push(overLimit(element, maxRecord) ? tooLong(startLine, maxRecord) : parseRecord(element, startLine));
              element = "";
              state = "between";
            }
          }
        } else if (ch === " " || ch === "\n" || ch === "\r" || ch === "\t" || (ch === "," && state === "between"))
          continue;
        else if (state === "start" && ch === "[") state = "between";
        else if (state === "between" && ch === "]") state = "done";
        else if (state === "between" && (ch === "{" || ch === "[")) {
          state = "element";
          depth = 1;
          element = ch;
          startLine = line;
        } else
          throw new UsageError(
            `Line ${line}: the JSON file must be one array of objects; found "${ch}".`,
            "Use NDJSON (one object per line) for anything else.",
            "INVALID_IMPORT_FILE",
          );
      }
    },
    end() {
      // An empty file was "not closed", as if an array had begun.
      if (state === "start")
        throw new UsageError(
          "The JSON file is empty: it must hold one array of objects ([] for none).",
          undefined,
          "INVALID_IMPORT_FILE",
        );
      if (state !== "done")
        throw new UsageError("The JSON array is not closed: the file ends early.", undefined, "INVALID_IMPORT_FILE");
    },
  };
}
