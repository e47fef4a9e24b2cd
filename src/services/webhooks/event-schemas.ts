import { createRequire } from "node:module";
import { UsageError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { eventTypesNamed } from "../../db/queries/webhook-event-type.js";
import type { SqlClient } from "../../db/sql.js";
import type { JsonValue } from "../../types/common.js";

// Event types' data schemas (JSON Schema 2020-12, through Ajv): checked when a type is created,
// and against every event of the type when it is sent. Ajv is loaded only when a schema is at
// hand: sends of types without one, and every other command, do not pay for it.

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
interface AjvLike {
  compile(schema: unknown): Validate;
}

let ajv: AjvLike | undefined;
function validator(): AjvLike {
  if (!ajv) {
    const { default: Ajv2020 } = createRequire(import.meta.url)("ajv/dist/2020.js") as {
      default: new (o: object) => AjvLike;
    };
    // strict: an unknown keyword or a typo ("requried") is an error, not a schema that checks nothing.
    ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
  }
  return ajv;
}

/** Compiles a schema, or a usage error (exit 2) saying what is wrong with it. */
export function compileSchema(schema: JsonValue, where: string): Validate {
  try {
    return validator().compile(schema);
  } catch (error) {
    throw new UsageError(
      `${where} is not a valid JSON Schema (2020-12): ${(error as Error).message}; nothing was written.`,
      undefined,
      "INVALID_SCHEMA",
    );
  }
}

const problems = (v: Validate) =>
  (v.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`)
    .join("; ");

/** Every event's data against its type's schema; the first that does not match is a usage error naming its paths. */
export async function checkSchemas(
  sql: SqlClient,
  events: { line: number; type: string; data: JsonValue }[],
  at: (line: number) => string,
): Promise<void> {
  const names = [...new Set(events.map((e) => e.type))];
  const schemas = new Map<string, Validate>();
  for (const r of await eventTypesNamed(typed(sql), names)) {
    if (r.schema !== null) schemas.set(r.name, compileSchema(r.schema as JsonValue, `The stored schema of ${r.name}`));
  }
  for (const e of events) {
    const validate = schemas.get(e.type);
    if (validate && !validate(e.data)) {
      throw new UsageError(
        `${at(e.line)}the data does not match the schema of ${e.type}: ${problems(validate)}; nothing was sent.`,
        `See the schema with: intg webhooks event-types list --json`,
        "SCHEMA_MISMATCH",
      );
    }
  }
}
