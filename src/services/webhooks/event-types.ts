import { ConflictError } from "../../cli/errors.js";
import { col } from "../../db/sql.js";
import type { JsonValue } from "../../types/common.js";
import type { WebhookEventTypeInfo } from "../../types/integration/webhook.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { validateEventTypeName } from "./endpoint-input.js";
import { compileSchema } from "./event-schemas.js";

type Row = { name: string; description: string | null; schema: unknown; archivedAt: unknown; createdAt: unknown };
const COLUMNS = `"name","description","schema","archivedAt","createdAt"`;

const toInfo = (r: Row): WebhookEventTypeInfo => ({
  name: r.name,
  description: r.description ?? null,
  schema: r.schema === null || r.schema === undefined ? null : col.json<JsonValue>(r.schema),
  archivedAt: col.iso(r.archivedAt),
  createdAt: col.iso(r.createdAt)!,
});

/** Adds a type to the catalog; a name already there is a conflict (exit 6). */
export async function createEventType(ctx: ServiceContext, input: { name: string; description: string | null; schema: JsonValue | null }): Promise<WebhookEventTypeInfo> {
  const name = validateEventTypeName(input.name);
  if (input.schema !== null) compileSchema(input.schema, `The schema of ${name}`);
  return ctx.sql.transaction(async (tx) => {
    if (await tx.get(`SELECT 1 AS "x" FROM "WebhookEventType" WHERE "name" = ?`, [name])) {
      throw new ConflictError(`The event type ${name} already exists.`, "See them with: intg webhooks event-types list", "EVENT_TYPE_EXISTS");
    }
    await tx.run(`INSERT INTO "WebhookEventType" ("name","description","schema","createdAt") VALUES (?,?,?,?)`, [name, input.description, input.schema === null ? null : JSON.stringify(input.schema), ctx.now()]);
    await recordAudit({ ...ctx, sql: tx }, { action: "event_type.create", targetType: "event_type", targetId: name, metadata: { description: input.description, hasSchema: input.schema !== null } });
    return toInfo((await tx.get<Row>(`SELECT ${COLUMNS} FROM "WebhookEventType" WHERE "name" = ?`, [name]))!);
  });
}

export async function listEventTypes(ctx: Pick<ServiceContext, "sql">): Promise<WebhookEventTypeInfo[]> {
  return (await ctx.sql.all<Row>(`SELECT ${COLUMNS} FROM "WebhookEventType" ORDER BY "name"`)).map(toInfo);
}

/** The names of the types in use (not archived), for checking sends. */
export async function knownTypes(sql: ServiceContext["sql"], names: string[]): Promise<Set<string>> {
  const wanted = [...new Set(names)];
  const known = new Set<string>();
  for (let i = 0; i < wanted.length; i += 500) {
    const chunk = wanted.slice(i, i + 500);
    const rows = await sql.all<{ name: string }>(`SELECT "name" FROM "WebhookEventType" WHERE "archivedAt" IS NULL AND "name" IN (${chunk.map(() => "?").join(",")})`, chunk);
    for (const r of rows) known.add(r.name);
  }
  return known;
}
