import { readFileSync } from "node:fs";
import { UsageError } from "../../../errors.js";
import type { JsonValue } from "../../../types/common.js";

/** The JSON Schema of `--schema-file` (create, update): a JSON object, or a usage error before anything is written. */
export function readSchema(file: string): JsonValue {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; nothing was written.`,
    );
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${file} is not JSON: ${(error as Error).message}; nothing was written.`,
      undefined,
      "INVALID_JSON",
    );
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema))
    throw new UsageError(`${file} is not a JSON Schema (an object); nothing was written.`, undefined, "INVALID_SCHEMA");
  return schema as JsonValue;
}
