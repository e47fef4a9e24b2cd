import { z } from "zod";
import { isDateFormat } from "../../lib/date-pattern.js";
import { TYPE_PATTERN } from "./rows.js";

// What `refs mappings set` accepts, checked with zod before anything is written. The shapes are
// the view types' (FieldMapping, TransformationRule, ExternalReferenceValidationRule,
// SyncPreferences); what zod cannot see (a regex that does not compile, a JSONata expression
// with a syntax error) is checked by the service.

// A path never names an object's prototype: mapped records are plain objects built from them.
const path = z
  .string()
  .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, "must be a dot path such as properties.email")
  .refine(
    (p) => !p.split(".").some((s) => s === "__proto__" || s === "constructor" || s === "prototype"),
    "must not name __proto__, constructor or prototype",
  );
const field = path;

const FieldMappingSchema = z.strictObject({
  source: path,
  target: path,
  required: z.boolean().default(false),
  default: z.json().optional(),
});

const datePattern = z
  .string()
  .min(1)
  .refine(isDateFormat, "must be iso, unix, unix_ms or a pattern such as yyyy-MM-dd");

const TransformationRuleSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("trim"), field }),
  z.strictObject({ kind: z.literal("lowercase"), field }),
  z.strictObject({ kind: z.literal("uppercase"), field }),
  z.strictObject({
    kind: z.literal("date_format"),
    field,
    from: datePattern.nullable().default(null),
    to: datePattern,
  }),
  z.strictObject({
    kind: z.literal("enum_map"),
    field,
    map: z.record(z.string(), z.string()),
    otherwise: z.enum(["keep", "null", "error"]).default("keep"),
  }),
  z.strictObject({ kind: z.literal("default"), field, value: z.json() }),
  z.strictObject({ kind: z.literal("jsonata"), field: field.nullable().default(null), expression: z.string().min(1) }),
]);

const message = z.string().optional();
const ValidationRuleSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("required"), field, message }),
  z.strictObject({
    kind: z.literal("type"),
    field,
    type: z.enum(["string", "number", "boolean", "object", "array"]),
    message,
  }),
  z.strictObject({ kind: z.literal("pattern"), field, pattern: z.string().min(1), message }),
  z.strictObject({ kind: z.literal("one_of"), field, values: z.array(z.json()).min(1), message }),
  z.strictObject({
    kind: z.literal("length"),
    field,
    min: z.number().int().min(0).nullable().default(null),
    max: z.number().int().min(0).nullable().default(null),
    message,
  }),
]);

const SyncPreferencesSchema = z.strictObject({
  direction: z.literal("pull").default("pull"),
  conflictPolicy: z.enum(["skip", "overwrite", "fail"]).default("skip"),
  scheduleIntervalMs: z.number().int().min(30_000, "must be at least 30 s").nullable().default(null),
});

/** The body of a mapping file; the flags (--provider, --entity-type…) may fill or override its first fields. */
export const MappingSpecSchema = z.strictObject({
  provider: z.string().min(1).optional(),
  connection: z.string().min(1).nullable().optional(),
  entityType: z.string().regex(TYPE_PATTERN).optional(),
  externalType: z.string().regex(TYPE_PATTERN).optional(),
  fieldMappings: z.array(FieldMappingSchema).min(1, "needs at least one field mapping"),
  transformationRules: z.array(TransformationRuleSchema).default([]),
  validationRules: z.array(ValidationRuleSchema).default([]),
  syncPreferences: SyncPreferencesSchema.nullable().default(null),
});
export type MappingSpec = z.infer<typeof MappingSpecSchema>;
