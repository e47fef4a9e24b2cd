import { NotFoundError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import {
  referenceByEntity,
  referenceByExternal,
  referenceById,
  type RefViewRow,
} from "../../db/queries/external-reference/read.js";
import { col, type SqlClient } from "../../db/sql.js";
import type { JsonObject } from "../../types/common.js";
import type { ExternalReference } from "../../types/integration/external-reference.types.js";

// How a record is named: a short type (user, contact) and an id of at most 255 characters.
export const TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
export const MAX_ID_LENGTH = 255;

export { REF_FIELDS } from "../../db/queries/external-reference/read.js";

/** The view of a reference read through the typed layer (the schema's types on both databases). */
export function toReference(r: RefViewRow): ExternalReference {
  return {
    id: r.id,
    connectionId: r.connectionId,
    entityType: r.entityType,
    entityId: r.entityId,
    externalType: r.externalType,
    externalId: r.externalId,
    metadata: (r.metadata ?? null) as JsonObject | null,
    payloadHash: r.payloadHash,
    firstSeenAt: r.firstSeenAt.toISOString(),
    lastModifiedAt: r.lastModifiedAt.toISOString(),
    remoteDeleted: r.remoteDeleted,
    remoteDeletedAt: r.remoteDeletedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/**
 * The same view from a row read as an array in REF_FIELDS order (the export's fast path): the
 * driver's own forms, so SQLite's dates (text), booleans (0/1) and JSON (text) are converted here.
 */
export function refFromArray(a: unknown[]): ExternalReference {
  return {
    id: a[0] as string,
    connectionId: a[1] as string,
    entityType: a[2] as string,
    entityId: a[3] as string,
    externalType: a[4] as string,
    externalId: a[5] as string,
    metadata: a[6] === null || a[6] === undefined ? null : col.json<JsonObject>(a[6]),
    payloadHash: (a[7] as string | null) ?? null,
    firstSeenAt: col.iso(a[8])!,
    lastModifiedAt: col.iso(a[9])!,
    remoteDeleted: col.bool(a[10]),
    remoteDeletedAt: col.iso(a[11]),
    createdAt: col.iso(a[12])!,
    updatedAt: col.iso(a[13])!,
  };
}

export async function findRef(sql: SqlClient, id: string): Promise<ExternalReference> {
  const row = await referenceById(typed(sql), id);
  if (!row)
    throw new NotFoundError(
      `No reference ${id}.`,
      "Find references with: intg refs list, or intg refs lookup --entity <type>:<id>",
      "REF_NOT_FOUND",
    );
  return toReference(row);
}

/** The reference holding one side of a link, if any: the external record, or the entity for one external type. */
export async function refByExternal(
  sql: SqlClient,
  connectionId: string,
  externalType: string,
  externalId: string,
): Promise<ExternalReference | undefined> {
  const row = await referenceByExternal(typed(sql), connectionId, externalType, externalId);
  return row && toReference(row);
}

export async function refByEntity(
  sql: SqlClient,
  connectionId: string,
  entityType: string,
  entityId: string,
  externalType: string,
): Promise<ExternalReference | undefined> {
  const row = await referenceByEntity(typed(sql), connectionId, entityType, entityId, externalType);
  return row && toReference(row);
}

/** Which record a reference ties, for messages: "user:42 ↔ contact:901". */
export const describeRef = (r: Pick<ExternalReference, "entityType" | "entityId" | "externalType" | "externalId">) =>
  `${r.entityType}:${r.entityId} ↔ ${r.externalType}:${r.externalId}`;
