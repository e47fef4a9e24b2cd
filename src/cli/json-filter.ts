import { IntgError, UsageError } from "../errors.js";

// `--json a,b` and `--jq <expr>`, as gh has them: field selection on the view types a command
// prints, then a jq filter over the result. The filter is jq itself, compiled to WebAssembly
// (jq-wasm): the real language, with nothing to download, loaded only when --jq is given.

const FIELD = /^[A-Za-z_$][\w$]*$/;

/** `--json id,name`: the field names, checked for shape before the command runs. */
export function parseJsonFields(text: string): string[] {
  const fields = text
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  const bad = fields.find((f) => !FIELD.test(f));
  if (fields.length === 0 || bad !== undefined)
    throw new UsageError(
      `--json: "${bad ?? text}" is not a field name.`,
      "Write --json alone for every field, or --json id,name for some.",
      "INVALID_JSON_FIELD",
    );
  return [...new Set(fields)];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The error for names that are not fields, listing those there are (as gh does). */
export function unknownFieldsError(unknown: readonly string[], available: Iterable<string>): UsageError {
  return new UsageError(
    `Unknown JSON field${unknown.length > 1 ? "s" : ""}: ${unknown.map((f) => `"${f}"`).join(", ")}.`,
    `Available fields:\n  ${[...available].sort().join("\n  ")}`,
    "INVALID_JSON_FIELD",
  );
}

/** The error for `--json a,b` on a command whose output is not objects with fields. */
export function noFieldsError(): UsageError {
  return new UsageError(
    "--json: this command's output has no fields to select.",
    "Use --json alone.",
    "INVALID_JSON_FIELD",
  );
}

/** The given fields of one object, those it has, in the order asked. */
export function pickFields(o: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => f in o).map((f) => [f, o[f]]));
}

/**
 * Only the named fields of an object, or of each object of an array. A name the output does not
 * have is a usage error listing the names it has; `declared` (the command's fields, checked before
 * it ran) are names it may leave out. An empty array has none to check against. The check before
 * the command ran (json-fields.ts) is the rule; this one is the backstop for output that varies.
 */
export function selectFields(value: unknown, fields: string[], declared: readonly string[] = []): unknown {
  const items = Array.isArray(value) ? value : [value];
  const objects = items.filter(isRecord);
  if (objects.length < items.length) throw noFieldsError();
  const available = new Set([...declared, ...objects.flatMap((o) => Object.keys(o))]);
  const unknown = fields.filter((f) => !available.has(f));
  if (objects.length > 0 && unknown.length > 0) throw unknownFieldsError(unknown, available);
  const pick = (o: Record<string, unknown>) => pickFields(o, fields);
  return Array.isArray(value) ? objects.map(pick) : pick(value as Record<string, unknown>);
}

/** A compiled jq filter: JSON text in, jq's output out (strings raw, as `gh --jq` prints them). */
export interface JqFilter {
  /** jq's output, and its error when it failed (what it printed before failing is still output). */
  run(json: string): { output: string; error?: IntgError };
}

/**
 * Loads jq and checks the expression compiles, before the command runs: a typo is a usage error
 * with nothing written. Indented for a terminal, compact for a pipe, as gh does.
 */
export async function loadJqFilter(expression: string, pretty: boolean): Promise<JqFilter> {
  const { loadJq } = await import("jq-wasm");
  const jq = await loadJq();
  const flags = pretty ? ["-r"] : ["-r", "-c"];
  // jq exits 3 on a compile error; running on null reports it without touching real data.
  const probe = jq.raw("null", expression, flags);
  if (probe.exitCode === 3)
    throw new UsageError(
      `--jq: ${firstLine(probe.stderr)}`,
      "See the jq manual for the filter language.",
      "INVALID_JQ",
    );
  return {
    run: (json) => {
      const result = jq.raw(json, expression, flags);
      const output = result.stdout === "" ? "" : `${result.stdout}\n`;
      if (result.exitCode === 0) return { output };
      return { output, error: new IntgError("JQ_ERROR", `--jq: ${firstLine(result.stderr)}`) };
    },
  };
}

function firstLine(stderr: string): string {
  return (stderr.split("\n").find((l) => l.trim()) ?? "jq failed").replace(/^jq: (error: )?/, "");
}
