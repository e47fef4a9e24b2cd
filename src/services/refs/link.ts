import { ConflictError } from "../../errors.js";
import { jsonText, typed } from "../../db/kysely.js";
import { insertReference, updateReference } from "../../db/queries/external-reference/write.js";
import type { SqlClient } from "../../db/sql.js";
import { sequentialIds } from "./sequential-ids.js";
import type { JsonObject } from "../../types/common.js";
import type { ExternalReference } from "../../types/integration/external-reference.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { diffRef, writeRefAudit } from "./audit.js";
import { resolveConnection } from "./connections.js";
import { describeRef, findRef, refByEntity, refByExternal } from "./rows.js";

export interface LinkInput {
  /** Connection id or unique name. */
  connection: string;
  entityType: string;
  entityId: string;
  externalType: string;
  externalId: string;
  /** Merged into the reference's metadata; null leaves it as it is. */
  metadata: JsonObject | null;
}

export interface LinkResult {
  action: "created" | "updated" | "unchanged";
  reference: ExternalReference;
}

/**
 * Links one entity to one external record. Linking the same pair again is not an error (it merges
 * --meta, or changes nothing); either side already linked to something else is a conflict that
 * names the reference holding it.
 */
export async function linkReference(ctx: ServiceContext, input: LinkInput): Promise<LinkResult> {
  const now = ctx.now();
  return ctx.sql.transaction(async (tx) => {
    const connection = await resolveConnection(tx, input.connection);
    const held = await refByExternal(tx, connection.id, input.externalType, input.externalId);
    if (held && (held.entityType !== input.entityType || held.entityId !== input.entityId)) {
      throw conflict(
        `${input.externalType}:${input.externalId} on ${connection.id} is already linked to ${held.entityType}:${held.entityId} by ${held.id}.`,
        held.id,
      );
    }
    if (held) return updateMetadata(ctx, tx, held, input.metadata, now);
    const taken = await refByEntity(tx, connection.id, input.entityType, input.entityId, input.externalType);
    if (taken)
      throw conflict(
        `${input.entityType}:${input.entityId} is already linked to ${taken.externalType}:${taken.externalId} on ${connection.id} by ${taken.id}.`,
        taken.id,
      );

    const id = sequentialIds("reference", now, 1)[0]!;
    await insertRef(tx, id, connection.id, input, now, ctx.actor).catch((error) => rethrowUnique(error, input));
    // No history row: the link entry is read from the reference (linkedBy, linkedVia).
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "reference.link",
        targetType: "reference",
        targetId: id,
        metadata: {
          connectionId: connection.id,
          entity: `${input.entityType}:${input.entityId}`,
          external: `${input.externalType}:${input.externalId}`,
        },
      },
    );
    return { action: "created", reference: await findRef(tx, id) };
  });
}

async function updateMetadata(
  ctx: ServiceContext,
  tx: SqlClient,
  ref: ExternalReference,
  metadata: JsonObject | null,
  now: Date,
): Promise<LinkResult> {
  const merged = metadata === null ? ref.metadata : { ...(ref.metadata ?? {}), ...metadata };
  if (JSON.stringify(merged) === JSON.stringify(ref.metadata)) return { action: "unchanged", reference: ref };
  const stored = merged === null ? null : jsonText(merged);
  await updateReference(typed(tx), ref.id, { metadata: stored, lastModifiedAt: now, updatedAt: now });
  const reference = await findRef(tx, ref.id);
  await writeRefAudit(tx, now, [
    {
      referenceId: ref.id,
      connectionId: ref.connectionId,
      action: "update",
      actor: ctx.actor,
      source: "cli",
      changes: diffRef(ref, reference),
    },
  ]);
  await recordAudit(
    { ...ctx, sql: tx },
    { action: "reference.update", targetType: "reference", targetId: ref.id, metadata: { fields: ["metadata"] } },
  );
  return { action: "updated", reference };
}

function insertRef(tx: SqlClient, id: string, connectionId: string, input: LinkInput, now: Date, actor: string) {
  const { entityType, entityId, externalType, externalId } = input;
  const metadata = input.metadata === null ? null : jsonText(input.metadata);
  return insertReference(typed(tx), {
    id,
    connectionId,
    entityType,
    entityId,
    externalType,
    externalId,
    metadata,
    payloadHash: null,
    firstSeenAt: now,
    lastModifiedAt: now,
    remoteDeleted: false,
    linkedBy: actor,
    linkedVia: "cli",
    createdAt: now,
    updatedAt: now,
  });
}

function conflict(message: string, heldBy: string): ConflictError {
  return new ConflictError(
    message,
    `See it with: intg refs show ${heldBy}; unlink it first to move the link.`,
    "REF_CONFLICT",
  );
}

/** Another process linked the same record between our check and our insert. */
function rethrowUnique(error: unknown, input: LinkInput): never {
  const text = String((error as { message?: unknown })?.message ?? "");
  if ((error as { code?: unknown })?.code === "23505" || /UNIQUE constraint failed/.test(text)) {
    throw new ConflictError(
      `${describeRef(input)} was linked by another process at the same time.`,
      "Run the command again to see which reference holds it.",
      "REF_CONFLICT",
    );
  }
  throw error;
}
