import { readFileSync } from "node:fs";
import { UsageError } from "../errors.js";

/** A file the user named (an import, a config to validate); one that cannot be read is a usage error. */
export function readInputFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; nothing was written.`,
    );
  }
}

/** A JSON file the user named; unreadable or invalid JSON is a usage error that writes nothing. */
export function readJsonFile(file: string): unknown {
  const text = readInputFile(file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${file} is not valid JSON: ${(error as Error).message}; nothing was written.`,
      undefined,
      "INVALID_FILE",
    );
  }
}
