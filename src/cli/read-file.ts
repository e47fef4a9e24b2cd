import { readFileSync } from "node:fs";
import { UsageError } from "./errors.js";

/** A file the user named (an import, a config to validate); one that cannot be read is a usage error. */
export function readInputFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; nothing was written.`);
  }
}
