import { ConflictError, NotFoundError } from "../../errors.js";
import { jsonText, typed } from "../../db/kysely.js";
import {
  deleteEventTypeRow,
  type EventTypeRow,
  eventTypesNamed,
  findEventType,
  insertEventType,
  listEventTypeRows,
  updateEventTypeRow,
} from "../../db/queries/webhook-event-type.js";
import { countEventsOfType } from "../../db/queries/webhook-event.js";
import type { JsonValue } from "../../types/common.js";
import type { WebhookEventTypeDeletion, WebhookEventTypeInfo } from "../../types/integration/webhook.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { validateEventTypeName } from "./endpoint-input.js";
import { compileSchema } from "./event-schemas.js";

const toInfo = (r: EventTypeRow): WebhookEventTypeInfo => ({
  name: r.name,
  description: r.description,
  schema: (r.schema ?? null) as JsonValue | null,
  archivedAt: r.archivedAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
});

/** Adds a type to the catalog; a name already there is a conflict (exit 6). */
export async function createEventType(
  ctx: ServiceContext,
  input: { name: string; description: string | null; schema: JsonValue | null },
): Promise<WebhookEventTypeInfo> {
  const name = validateEventTypeName(input.name);
  if (input.schema !== null) compileSchema(input.schema, `The schema of ${name}`);
  return ctx.sql.transaction(async (tx) => {
    const db = typed(tx);
    if (await findEventType(db, name)) {
      throw new ConflictError(
        `The event type ${name} already exists.`,
        "See them with: intg webhooks event-types list",
        "EVENT_TYPE_EXISTS",
      );
    }
    const schema = input.schema === null ? null : jsonText(input.schema);
    await insertEventType(db, { name, description: input.description, schema, createdAt: ctx.now() });
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "event_type.create",
        targetType: "event_type",
        targetId: name,
        metadata: { description: input.description, hasSchema: input.schema !== null },
      },
    );
    return toInfo(await findType(tx, name));
  });
}

export async function listEventTypes(ctx: Pick<ServiceContext, "sql">): Promise<WebhookEventTypeInfo[]> {
  return (await listEventTypeRows(typed(ctx.sql))).map(toInfo);
}

/**
 * The names in the catalog, for checking sends. A deprecated type (archivedAt set) still sends;
 * `deprecated` holds those, for the command to warn about.
 */
export async function knownTypes(
  sql: ServiceContext["sql"],
  names: string[],
  deprecated?: Set<string>,
): Promise<Set<string>> {
  const wanted = [...new Set(names)];
  const known = new Set<string>();
  for (const r of await eventTypesNamed(typed(sql), wanted)) {
    known.add(r.name);
    if (r.archivedAt !== null) deprecated?.add(r.name);
  }
  return known;
}

async function findType(tx: ServiceContext["sql"], name: string): Promise<EventTypeRow> {
  const row = await findEventType(typed(tx), name);
  if (!row)
    throw new NotFoundError(
      `There is no event type ${name}.`,
      "See them with: intg webhooks event-types list",
      "EVENT_TYPE_NOT_FOUND",
    );
  return row;
}

/** Changes a type's description or schema (a new schema is checked first; null removes it). */
export async function updateEventType(
  ctx: ServiceContext,
  name: string,
  input: { description?: string | null; schema?: JsonValue | null },
): Promise<WebhookEventTypeInfo> {
  if (input.schema !== undefined && input.schema !== null) compileSchema(input.schema, `The schema of ${name}`);
  return ctx.sql.transaction(async (tx) => {
    const row = await findType(tx, name);
    const description = input.description === undefined ? row.description : input.description;
    const schema = input.schema === undefined ? row.schema : input.schema;
    await updateEventTypeRow(typed(tx), name, { description, schema: schema === null ? null : jsonText(schema) });
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "event_type.update",
        targetType: "event_type",
        targetId: name,
        metadata: { fields: Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined) },
      },
    );
    return toInfo(await findType(tx, name));
  });
}

/** Marks a type deprecated (archivedAt): it still sends, with a warning; `undeprecate` clears it. */
export async function deprecateEventType(
  ctx: ServiceContext,
  name: string,
  deprecated: boolean,
): Promise<WebhookEventTypeInfo> {
  return ctx.sql.transaction(async (tx) => {
    await findType(tx, name);
    await updateEventTypeRow(typed(tx), name, { archivedAt: deprecated ? ctx.now() : null });
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: deprecated ? "event_type.deprecate" : "event_type.undeprecate",
        targetType: "event_type",
        targetId: name,
      },
    );
    return toInfo(await findType(tx, name));
  });
}

/** Removes a type from the catalog; refused (exit 6) while events of it are kept, unless forced. */
export async function deleteEventType(
  ctx: ServiceContext,
  name: string,
  options: { force?: boolean } = {},
): Promise<WebhookEventTypeDeletion> {
  return ctx.sql.transaction(async (tx) => {
    await findType(tx, name);
    const events = await countEventsOfType(typed(tx), name);
    if (events > 0 && !options.force) {
      throw new ConflictError(
        `${events} event(s) of type ${name} are kept; deleting the type would leave them without one. Nothing was deleted.`,
        "Deprecate it instead (intg webhooks event-types deprecate), or delete it anyway with --force.",
        "EVENT_TYPE_IN_USE",
      );
    }
    await deleteEventTypeRow(typed(tx), name);
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "event_type.delete",
        targetType: "event_type",
        targetId: name,
        metadata: { events, forced: options.force === true },
      },
    );
    return { name, events };
  });
}
