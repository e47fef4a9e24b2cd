import { NotFoundError } from "../../errors.js";
import { col, type SqlClient } from "../../db/sql.js";
import type { JsonObject } from "../../types/common.js";
import type { ExternalReference } from "../../types/integration/external-reference.types.js";

// How a record is named: a short type (user, contact) and an id of at most 255 characters.
export const TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
export const MAX_ID_LENGTH = 255;

// The columns every reference view is built from, in one order, so list, show, lookup and export
// agree. Export reads them as arrays (the fast path), the rest as objects.
export const REF_FIELDS = ["id", "connectionId", "entityType", "entityId", "externalType", "externalId", "metadata", "payloadHash", "firstSeenAt", "lastModifiedAt", "remoteDeleted", "remoteDeletedAt", "createdAt", "updatedAt"] as const;
export const REF_COLUMNS = REF_FIELDS.map((f) => `r."${f}"`).join(", ");

export type RefRow = Record<(typeof REF_FIELDS)[number], unknown>;

export function toReference(r: RefRow): ExternalReference {
  return {
    id: r.id as string,
    connectionId: r.connectionId as string,
    entityType: r.entityType as string,
    entityId: r.entityId as string,
    externalType: r.externalType as string,
    externalId: r.externalId as string,
    metadata: r.metadata === null || r.metadata === undefined ? null : col.json<JsonObject>(r.metadata),
    payloadHash: (r.payloadHash as string | null) ?? null,
    firstSeenAt: col.iso(r.firstSeenAt)!,
    lastModifiedAt: col.iso(r.lastModifiedAt)!,
    remoteDeleted: col.bool(r.remoteDeleted),
    remoteDeletedAt: col.iso(r.remoteDeletedAt),
    createdAt: col.iso(r.createdAt)!,
    updatedAt: col.iso(r.updatedAt)!,
  };
}

/** The same view from a row read as an array in REF_FIELDS order (the export's fast path). */
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
  const row = await sql.get<RefRow>(`SELECT ${REF_COLUMNS} FROM "ExternalReference" r WHERE r."id" = ?`, [id]);
  if (!row) throw new NotFoundError(`No reference ${id}.`, "Find references with: intg refs list, or intg refs lookup --entity <type>:<id>", "REF_NOT_FOUND");
  return toReference(row);
}

/** The reference holding one side of a link, if any: the external record, or the entity for one external type. */
export async function refByExternal(sql: SqlClient, connectionId: string, externalType: string, externalId: string): Promise<ExternalReference | undefined> {
  const row = await sql.get<RefRow>(`SELECT ${REF_COLUMNS} FROM "ExternalReference" r WHERE r."connectionId" = ? AND r."externalType" = ? AND r."externalId" = ?`, [connectionId, externalType, externalId]);
  return row && toReference(row);
}

export async function refByEntity(sql: SqlClient, connectionId: string, entityType: string, entityId: string, externalType: string): Promise<ExternalReference | undefined> {
  const row = await sql.get<RefRow>(`SELECT ${REF_COLUMNS} FROM "ExternalReference" r WHERE r."connectionId" = ? AND r."entityType" = ? AND r."entityId" = ? AND r."externalType" = ?`, [connectionId, entityType, entityId, externalType]);
  return row && toReference(row);
}

/** Which record a reference ties, for messages: "user:42 ↔ contact:901". */
export const describeRef = (r: Pick<ExternalReference, "entityType" | "entityId" | "externalType" | "externalId">) => `${r.entityType}:${r.entityId} ↔ ${r.externalType}:${r.externalId}`;
