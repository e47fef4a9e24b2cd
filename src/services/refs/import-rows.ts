import { z } from "zod";
import type { JsonObject, ValidationIssue } from "../../types/common.js";
import { IMPORT_FIELDS, type RawRecord } from "./import-sources.js";
import { MAX_ID_LENGTH, TYPE_PATTERN } from "./rows.js";

// One row of an import, checked with zod before anything is written. CSV gives every value as
// text: an empty cell is an absent value and metadata is JSON text; NDJSON and JSON give values.

// "is missing" rather than zod's "expected string, received undefined": a person reads these.
const text = (notText = "must be text") =>
  z.string({ error: (issue) => (issue.input === undefined ? "is missing" : notText) });
// JSON.parse turns 12345678901234567890 into 12345678901234567000 without a word, and a fraction
// loses its text (1.50 and 1.5, 0.1 and 0.10000000000000001 are one number): a number id is taken
// only as an integer within ±(2^53−1), whose digits survive.
const NUMBER_ID =
  "must be a string, or an integer within ±(2^53−1): a larger number or a fraction loses digits in JSON";
const typeName = text().regex(
  TYPE_PATTERN,
  "must be a type name: a letter, then letters, digits, _ . or - (at most 64)",
);
const WELL_FORMED = /^\P{Cs}*$/u;
const LONE_SURROGATE = "must not hold a lone surrogate (an unpaired \\ud800-\\udfff)";
// A lone surrogate (a JSON "\ud800" with no pair) is no character: stored, it became U+FFFD on
// PostgreSQL, so "x\ud800" and "x\udbff" were one id there and two on SQLite.
const recordId = text(NUMBER_ID)
  .min(1, "must not be empty")
  .max(MAX_ID_LENGTH)
  .regex(/^[^\u0000-\u001f]*$/, "must not hold control characters")
  .regex(WELL_FORMED, LONE_SURROGATE);

const RowSchema = z.object({
  connectionId: z.string().min(1).max(64).optional(),
  entityType: typeName,
  entityId: recordId,
  externalType: typeName,
  externalId: recordId,
  metadata: z.record(z.string(), z.json()).nullable().optional(),
  payloadHash: z.string().max(128).regex(WELL_FORMED, LONE_SURROGATE).nullable().optional(),
});

export interface ImportRow {
  line: number;
  connectionId: string;
  entityType: string;
  entityId: string;
  externalType: string;
  externalId: string;
  /** undefined: the row does not say, and an existing reference keeps its value. */
  metadata: JsonObject | null | undefined;
  payloadHash: string | null | undefined;
}

export type Checked = { ok: true; row: ImportRow } | { ok: false; line: number; issues: ValidationIssue[] };

/** Numbers are accepted for ids in JSON (`"entityId": 42`), as they are in CSV, when exact (NUMBER_ID). */
const asText = (v: unknown) => (Number.isSafeInteger(v) ? String(v) : v);

export function checkRecord(raw: RawRecord, defaultConnection: string | null): Checked {
  if ("error" in raw) return { ok: false, line: raw.line, issues: [{ path: "", message: raw.error }] };
  const csv = "fields" in raw;
  const input: Record<string, unknown> = {};
  for (const key of IMPORT_FIELDS) {
    if (csv) {
      const at = raw.columns[key];
      const value = at < 0 ? undefined : raw.fields[at];
      input[key] = value === "" ? undefined : value;
    } else input[key] = asText(raw.value[key]);
  }
  if (csv && typeof input.metadata === "string") {
    try {
      input.metadata = JSON.parse(input.metadata);
    } catch {
      return { ok: false, line: raw.line, issues: [{ path: "metadata", message: "is not valid JSON" }] };
    }
  }
  const parsed = RowSchema.safeParse(input);
  if (!parsed.success)
    return {
      ok: false,
      line: raw.line,
      issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    };
  const row = parsed.data;
  const connectionId = row.connectionId ?? defaultConnection;
  if (!connectionId)
    return {
      ok: false,
      line: raw.line,
      issues: [{ path: "connectionId", message: "is missing: give a connectionId column or --connection" }],
    };
  if (row.connectionId && defaultConnection && row.connectionId !== defaultConnection) {
    return {
      ok: false,
      line: raw.line,
      issues: [{ path: "connectionId", message: `is ${row.connectionId}, not the --connection ${defaultConnection}` }],
    };
  }
  return {
    ok: true,
    row: {
      line: raw.line,
      connectionId,
      entityType: row.entityType,
      entityId: row.entityId,
      externalType: row.externalType,
      externalId: row.externalId,
      metadata: row.metadata as JsonObject | null | undefined,
      payloadHash: row.payloadHash,
    },
  };
}

export type Identity = Pick<ImportRow, "connectionId" | "entityType" | "entityId" | "externalType" | "externalId">;

/** What a record that failed validation says it is, as text, for the report of its rejection. */
export function rawIdentity(raw: RawRecord, defaultConnection: string | null): Identity {
  const get = (key: (typeof IMPORT_FIELDS)[number]): string => {
    const v =
      "fields" in raw
        ? raw.columns[key] < 0
          ? undefined
          : raw.fields[raw.columns[key]]
        : "value" in raw
          ? raw.value[key]
          : undefined;
    return v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v);
  };
  return {
    connectionId: get("connectionId") || (defaultConnection ?? ""),
    entityType: get("entityType"),
    entityId: get("entityId"),
    externalType: get("externalType"),
    externalId: get("externalId"),
  };
}
