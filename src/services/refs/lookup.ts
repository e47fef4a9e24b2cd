import { NotFoundError } from "../../errors.js";
import type { CrossReferenceLookupResult } from "../../types/integration/external-reference.types.js";
import type { ServiceContext } from "../context.js";
import { resolveConnection } from "./connections.js";
import { typed } from "../../db/kysely.js";
import { entityOfExternal, referencesOfEntity } from "../../db/queries/external-reference/read.js";
import { toReference } from "./rows.js";

type Query = CrossReferenceLookupResult["query"];
export type LookupInput =
  | { kind: "entity"; entityType: string; entityId: string }
  | { kind: "external"; connection: string; externalType: string; externalId: string };

/**
 * Every reference of one of the platform's records, across connections and providers. Looked up
 * by an external record, it finds the entity that record is linked to, then all of that
 * entity's references: hubspot contact 901 → user 42 → its Salesforce lead too.
 */
export async function lookupReferences(ctx: ServiceContext, input: LookupInput): Promise<CrossReferenceLookupResult> {
  let query: Query;
  let entity: { type: string; id: string };
  if (input.kind === "entity") {
    query = input;
    entity = { type: input.entityType, id: input.entityId };
  } else {
    const connection = await resolveConnection(ctx.sql, input.connection);
    query = {
      kind: "external",
      connectionId: connection.id,
      externalType: input.externalType,
      externalId: input.externalId,
    };
    const held = await entityOfExternal(typed(ctx.sql), connection.id, input.externalType, input.externalId);
    if (!held) throw notFound(`${input.externalType}:${input.externalId} on ${connection.id}`);
    entity = { type: held.entityType, id: held.entityId };
  }
  const rows = await referencesOfEntity(typed(ctx.sql), entity.type, entity.id);
  if (rows.length === 0) throw notFound(`${entity.type}:${entity.id}`);
  return {
    query,
    references: rows.map((r) => ({
      ...toReference(r),
      connection: { id: r.connectionId, name: r.connectionName, environment: r.connectionEnvironment },
      provider: {
        id: r.providerId,
        slug: r.providerSlug,
        name: r.providerName,
        category: r.providerCategory,
        status: r.providerStatus,
      },
    })),
  };
}

const notFound = (what: string) =>
  new NotFoundError(
    `No reference for ${what}.`,
    "Link one with: intg refs link --entity <type>:<id> --connection <c> --external <type>:<id>",
    "REF_NOT_FOUND",
  );
