import { type Expression, sql } from "kysely";
import type { Provider } from "./url.js";

// Rows sent to PostgreSQL as one JSON text parameter (json_to_recordset): one statement and one
// round trip for a batch of any size, and one shape to compile.

// A lone UTF-16 surrogate (a transformation's output, a thrown message) is written by
// JSON.stringify as an escape that PostgreSQL refuses, failing the whole batch. Bound as text, the
// driver stored U+FFFD in its place; the JSON form keeps that.
const LONE_SURROGATE_ESCAPE = /\\ud[89a-f]/i;
const wellFormed = (_key: string, value: unknown) =>
  typeof value === "string" ? (value as string & { toWellFormed(): string }).toWellFormed() : value;

/** The rows as JSON text for a `json_to_recordset(…::json)` parameter. */
export function jsonRows(rows: readonly object[]): string {
  const text = JSON.stringify(rows);
  return LONE_SURROGATE_ESCAPE.test(text) ? JSON.stringify(rows, wellFormed) : text;
}

/** The strings of a JSON array text parameter, as a subquery for IN: one statement shape for any count. */
export function jsonStrings(provider: Provider, ids: Expression<unknown>) {
  return provider === "postgresql"
    ? sql<string>`(select json_array_elements_text(${ids}::json))`
    : sql<string>`(select value from json_each(${ids}))`;
}
