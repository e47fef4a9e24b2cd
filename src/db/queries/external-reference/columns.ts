// The column lists the statements on "ExternalReference" share, written once.

/** What a link joins: the platform's record and the provider's, on one connection. */
export const LINK_COLUMNS = ["connectionId", "entityType", "entityId", "externalType", "externalId"] as const;

/** What a reference records of the provider's record, beside the link. */
export const RECORD_COLUMNS = ["metadata", "payloadHash", "firstSeenAt", "lastModifiedAt", "remoteDeleted"] as const;

/** Every column a bulk write fills, in one order: COPY's column list and the staging merge's. */
export const WRITTEN_COLUMNS = [
  "id",
  ...LINK_COLUMNS,
  ...RECORD_COLUMNS,
  "linkedBy",
  "linkedVia",
  "createdAt",
  "updatedAt",
] as const;
