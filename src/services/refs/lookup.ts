import { NotFoundError } from "../../errors.js";
import type { CrossReferenceLookupResult } from "../../types/integration/external-reference.types.js";
import type { IntegrationCategory, IntegrationEnvironment, IntegrationProviderStatus } from "../../types/enums.js";
import type { ServiceContext } from "../context.js";
import { resolveConnection } from "./connections.js";
import { REF_COLUMNS, toReference, type RefRow } from "./rows.js";

type Query = CrossReferenceLookupResult["query"];
export type LookupInput = { kind: "entity"; entityType: string; entityId: string } | { kind: "external"; connection: string; externalType: string; externalId: string };

const JOINED = `SELECT ${REF_COLUMNS}, c."name" AS "connectionName", c."environment" AS "connectionEnvironment",
  p."id" AS "providerId", p."slug" AS "providerSlug", p."name" AS "providerName", p."category" AS "providerCategory", p."status" AS "providerStatus"
  FROM "ExternalReference" r JOIN "IntegrationConnection" c ON c."id" = r."connectionId" JOIN "IntegrationProvider" p ON p."id" = c."providerId"`;

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
    query = { kind: "external", connectionId: connection.id, externalType: input.externalType, externalId: input.externalId };
    const held = await ctx.sql.get<{ entityType: string; entityId: string }>(
      `SELECT "entityType", "entityId" FROM "ExternalReference" WHERE "connectionId" = ? AND "externalType" = ? AND "externalId" = ?`,
      [connection.id, input.externalType, input.externalId],
    );
    if (!held) throw notFound(`${input.externalType}:${input.externalId} on ${connection.id}`);
    entity = { type: held.entityType, id: held.entityId };
  }
  const rows = await ctx.sql.all<RefRow & Record<string, unknown>>(`${JOINED} WHERE r."entityType" = ? AND r."entityId" = ? ORDER BY p."slug", r."connectionId", r."externalType"`, [entity.type, entity.id]);
  if (rows.length === 0) throw notFound(`${entity.type}:${entity.id}`);
  return {
    query,
    references: rows.map((r) => ({
      ...toReference(r),
      connection: { id: r.connectionId as string, name: r.connectionName as string, environment: r.connectionEnvironment as IntegrationEnvironment },
      provider: { id: r.providerId as string, slug: r.providerSlug as string, name: r.providerName as string, category: r.providerCategory as IntegrationCategory, status: r.providerStatus as IntegrationProviderStatus },
    })),
  };
}

const notFound = (what: string) => new NotFoundError(`No reference for ${what}.`, "Link one with: intg refs link --entity <type>:<id> --connection <c> --external <type>:<id>", "REF_NOT_FOUND");
