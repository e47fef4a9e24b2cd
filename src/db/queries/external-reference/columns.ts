// The column lists the statements on "ExternalReference" share, written once.

/** What a link joins: the platform's record and the provider's, on one connection. */
export const LINK_COLUMNS = ["connectionId", "entityType", "entityId", "externalType", "externalId"] as const;

/** Every column a bulk write fills, in one order: COPY's column list and the staging merge's. */
export const WRITTEN_COLUMNS = [
  "id",
  ...LINK_COLUMNS,
  "metadata",
  "payloadHash",
  "firstSeenAt",
  "lastModifiedAt",
  "remoteDeleted",
  "linkedBy",
  "linkedVia",
  "createdAt",
  "updatedAt",
] as const;
