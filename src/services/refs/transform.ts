import { formatDate, parseDate } from "../../lib/date-pattern.js";
import { transformPool } from "../../lib/transform-pool.js";
import type { JsonObject, JsonValue, ValidationIssue } from "../../types/common.js";
import type {
  ExternalReferenceValidationRule,
  IntegrationMappingInfo,
  ReferenceValidationResult,
  TransformationRule,
} from "../../types/integration/external-reference.types.js";

// Applying a mapping to one remote record: field mappings, then transformation rules in order,
// then validation rules. Every problem is collected, so one run reports all of them.

const get = (o: JsonValue | undefined, path: string): JsonValue | undefined => {
  let v = o;
  for (const key of path.split("."))
    v = v !== null && typeof v === "object" && !Array.isArray(v) && Object.hasOwn(v, key) ? v[key] : undefined;
  return v;
};

function set(o: JsonObject, path: string, value: JsonValue): void {
  const keys = path.split(".");
  let at = o;
  for (const key of keys.slice(0, -1)) {
    const next = at[key];
    at = next !== null && typeof next === "object" && !Array.isArray(next) ? next : (at[key] = {});
  }
  at[keys.at(-1)!] = value;
}

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

export async function applyMapping(
  mapping: IntegrationMappingInfo,
  source: JsonValue,
): Promise<ReferenceValidationResult> {
  const issues: ValidationIssue[] = [];
  let out: JsonObject = {};
  if (!isObject(source)) issues.push({ path: "", message: "the record must be a JSON object" });
  else {
    for (const fm of mapping.fieldMappings) {
      const v = get(source, fm.source);
      if (v !== undefined) set(out, fm.target, v);
      else if (fm.default !== undefined) set(out, fm.target, fm.default);
      else if (fm.required) issues.push({ path: fm.source, message: `is required (maps to ${fm.target})` });
    }
    for (const rule of mapping.transformationRules) out = await transform(rule, out, source, issues);
    for (const rule of mapping.validationRules) validate(rule, out, issues);
  }
  return issues.length
    ? { valid: false, mappingId: mapping.id, record: null, issues }
    : { valid: true, mappingId: mapping.id, record: out, issues: [] };
}

async function transform(
  rule: TransformationRule,
  out: JsonObject,
  source: JsonObject,
  issues: ValidationIssue[],
): Promise<JsonObject> {
  if (rule.kind === "jsonata") return jsonata(rule, out, source, issues);
  const v = get(out, rule.field);
  const fail = (message: string) => void issues.push({ path: rule.field, message });
  if (rule.kind === "default") {
    if (v === undefined || v === null) set(out, rule.field, rule.value);
    return out;
  }
  if (v === undefined || v === null) return out; // absent values are the validation rules' business
  switch (rule.kind) {
    case "trim":
    case "lowercase":
    case "uppercase":
      if (typeof v !== "string") fail(`is ${typeof v}, not text (${rule.kind})`);
      else
        set(
          out,
          rule.field,
          rule.kind === "trim" ? v.trim() : rule.kind === "lowercase" ? v.toLowerCase() : v.toUpperCase(),
        );
      break;
    case "date_format": {
      const d = parseDate(v, rule.from);
      if (!d)
        fail(`${JSON.stringify(v)} is not a date${rule.from ? ` in the format ${rule.from}` : " (ISO-8601 or epoch)"}`);
      else set(out, rule.field, formatDate(d, rule.to));
      break;
    }
    case "enum_map": {
      const key = String(v);
      if (Object.hasOwn(rule.map, key)) set(out, rule.field, rule.map[key]!);
      else if (rule.otherwise === "null") set(out, rule.field, null);
      else if (rule.otherwise === "error")
        fail(`${JSON.stringify(v)} is not one of ${Object.keys(rule.map).join(", ")}`);
      break;
    }
  }
  return out;
}

/** $source is the remote record as it came; the input is the mapped record so far. */
async function jsonata(
  rule: Extract<TransformationRule, { kind: "jsonata" }>,
  out: JsonObject,
  source: JsonObject,
  issues: ValidationIssue[],
): Promise<JsonObject> {
  try {
    // On the transform pool's thread, with its time, depth and size budget (see transform-pool.ts).
    const text = await transformPool().evaluate(rule.expression, JSON.stringify(out), JSON.stringify({ source }));
    const result = text === null ? undefined : (JSON.parse(text) as JsonValue);
    if (rule.field === null) {
      if (isObject(result)) return result;
      issues.push({ path: "", message: `the expression ${rule.expression} must give an object` });
    } else if (result !== undefined) set(out, rule.field, result);
  } catch (error) {
    issues.push({
      path: rule.field ?? "",
      message: `the expression ${rule.expression} failed: ${(error as Error).message}`,
    });
  }
  return out;
}

function validate(rule: ExternalReferenceValidationRule, out: JsonObject, issues: ValidationIssue[]): void {
  const v = get(out, rule.field);
  const fail = (why: string) => void issues.push({ path: rule.field, message: rule.message ?? why });
  if (rule.kind === "required") {
    if (v === undefined || v === null || v === "") fail("is required");
    return;
  }
  if (v === undefined || v === null) return;
  if (rule.kind === "type") {
    const actual = Array.isArray(v) ? "array" : typeof v;
    if (actual !== rule.type) fail(`is ${actual}, not ${rule.type}`);
  } else if (rule.kind === "pattern") {
    if (typeof v !== "string" || !new RegExp(rule.pattern).test(v)) fail(`does not match ${rule.pattern}`);
  } else if (rule.kind === "one_of") {
    if (!rule.values.some((x) => JSON.stringify(x) === JSON.stringify(v)))
      fail(`is ${JSON.stringify(v)}, not one of ${rule.values.map((x) => JSON.stringify(x)).join(", ")}`);
  } else if (rule.kind === "length") {
    const n = typeof v === "string" || Array.isArray(v) ? v.length : undefined;
    if (n === undefined) fail("has no length (not text or a list)");
    else if ((rule.min !== null && n < rule.min) || (rule.max !== null && n > rule.max))
      fail(`has length ${n}, not ${rule.min ?? 0}..${rule.max ?? "∞"}`);
  }
}
