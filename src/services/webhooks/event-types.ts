import { ConflictError, NotFoundError } from "../../cli/errors.js";
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

/**
 * The names in the catalog, for checking sends. A deprecated type (archivedAt set) still sends;
 * `deprecated` holds those, for the command to warn about.
 */
export async function knownTypes(sql: ServiceContext["sql"], names: string[], deprecated?: Set<string>): Promise<Set<string>> {
  const wanted = [...new Set(names)];
  const known = new Set<string>();
  for (let i = 0; i < wanted.length; i += 500) {
    const chunk = wanted.slice(i, i + 500);
    const rows = await sql.all<{ name: string; archivedAt: unknown }>(`SELECT "name", "archivedAt" FROM "WebhookEventType" WHERE "name" IN (${chunk.map(() => "?").join(",")})`, chunk);
    for (const r of rows) {
      known.add(r.name);
      if (r.archivedAt !== null && r.archivedAt !== undefined) deprecated?.add(r.name);
    }
  }
  return known;
}

async function findType(tx: ServiceContext["sql"], name: string): Promise<Row> {
  const row = await tx.get<Row>(`SELECT ${COLUMNS} FROM "WebhookEventType" WHERE "name" = ?`, [name]);
  if (!row) throw new NotFoundError(`There is no event type ${name}.`, "See them with: intg webhooks event-types list", "EVENT_TYPE_NOT_FOUND");
  return row;
}

/** Changes a type's description or schema (a new schema is checked first; null removes it). */
export async function updateEventType(ctx: ServiceContext, name: string, input: { description?: string | null; schema?: JsonValue | null }): Promise<WebhookEventTypeInfo> {
  if (input.schema !== undefined && input.schema !== null) compileSchema(input.schema, `The schema of ${name}`);
  return ctx.sql.transaction(async (tx) => {
    const row = await findType(tx, name);
    const description = input.description === undefined ? row.description : input.description;
    const schema = input.schema === undefined ? row.schema : input.schema === null ? null : JSON.stringify(input.schema);
    await tx.run(`UPDATE "WebhookEventType" SET "description" = ?, "schema" = ? WHERE "name" = ?`, [description, schema === null || schema === undefined ? null : typeof schema === "string" ? schema : JSON.stringify(schema), name]);
    await recordAudit({ ...ctx, sql: tx }, { action: "event_type.update", targetType: "event_type", targetId: name, metadata: { fields: Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined) } });
    return toInfo(await findType(tx, name));
  });
}

/** Marks a type deprecated (archivedAt): it still sends, with a warning; `undeprecate` clears it. */
export async function deprecateEventType(ctx: ServiceContext, name: string, deprecated: boolean): Promise<WebhookEventTypeInfo> {
  return ctx.sql.transaction(async (tx) => {
    await findType(tx, name);
    await tx.run(`UPDATE "WebhookEventType" SET "archivedAt" = ? WHERE "name" = ?`, [deprecated ? ctx.now() : null, name]);
    await recordAudit({ ...ctx, sql: tx }, { action: deprecated ? "event_type.deprecate" : "event_type.undeprecate", targetType: "event_type", targetId: name });
    return toInfo(await findType(tx, name));
  });
}

/** Removes a type from the catalog; refused (exit 6) while events of it are kept, unless forced. */
export async function deleteEventType(ctx: ServiceContext, name: string, options: { force?: boolean } = {}): Promise<{ name: string; events: number }> {
  return ctx.sql.transaction(async (tx) => {
    await findType(tx, name);
    const events = col.int((await tx.get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "WebhookEvent" WHERE "type" = ?`, [name]))!.n);
    if (events > 0 && !options.force) {
      throw new ConflictError(`${events} event(s) of type ${name} are kept; deleting the type would leave them without one. Nothing was deleted.`, "Deprecate it instead (intg webhooks event-types deprecate), or delete it anyway with --force.", "EVENT_TYPE_IN_USE");
    }
    await tx.run(`DELETE FROM "WebhookEventType" WHERE "name" = ?`, [name]);
    await recordAudit({ ...ctx, sql: tx }, { action: "event_type.delete", targetType: "event_type", targetId: name, metadata: { events, forced: options.force === true } });
    return { name, events };
  });
}
