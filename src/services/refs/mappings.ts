import { UsageError } from "../../errors.js";
import { jsonText, typed } from "../../db/kysely.js";
import { deleteMappingRow, insertMapping, updateMappingRow } from "../../db/queries/integration-mapping.js";
import { newId } from "../../lib/ids.js";
import type { IntegrationMappingInfo } from "../../types/integration/external-reference.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { resolveConnection } from "./connections.js";
import type { MappingSpec } from "./mapping-schema.js";
import { findMapping, resolveProvider } from "./mapping-rows.js";

export interface SetMappingInput {
  name: string;
  spec: MappingSpec;
}

/** Creates the mapping of that name, or replaces its definition (keeping its id). */
export async function setMapping(
  ctx: ServiceContext,
  input: SetMappingInput,
): Promise<{ action: "created" | "updated"; mapping: IntegrationMappingInfo }> {
  const { spec } = input;
  const missing = (["provider", "entityType", "externalType"] as const).filter((k) => !spec[k]);
  if (missing.length)
    throw new UsageError(
      `The mapping needs ${missing.join(", ")}: give them as flags or in the file.`,
      undefined,
      "INVALID_MAPPING",
    );
  await checkExpressions(spec);
  const now = ctx.now();
  return ctx.sql.transaction(async (tx) => {
    const provider = await resolveProvider(tx, spec.provider!);
    let connectionId: string | null = null;
    if (spec.connection) {
      const connection = await resolveConnection(tx, spec.connection);
      if (connection.providerId !== provider.id)
        throw new UsageError(
          `Connection ${connection.id} is not a connection of ${provider.slug}.`,
          undefined,
          "INVALID_MAPPING",
        );
      connectionId = connection.id;
    }
    const existing = await findMapping(tx, input.name).catch(() => undefined);
    const definition = {
      providerId: provider.id,
      connectionId,
      entityType: spec.entityType!,
      externalType: spec.externalType!,
      fieldMappings: jsonText(spec.fieldMappings),
      transformationRules: jsonText(spec.transformationRules),
      validationRules: jsonText(spec.validationRules),
      syncPreferences: spec.syncPreferences === null ? null : jsonText(spec.syncPreferences),
    };
    const id = existing?.id ?? newId("mapping", now);
    if (existing) await updateMappingRow(typed(tx), id, { ...definition, updatedAt: now });
    else await insertMapping(typed(tx), { id, name: input.name, ...definition, createdAt: now, updatedAt: now });
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: existing ? "mapping.update" : "mapping.create",
        targetType: "mapping",
        targetId: id,
        metadata: { name: input.name, provider: provider.slug },
      },
    );
    return { action: existing ? "updated" : "created", mapping: await findMapping(tx, id) };
  });
}

export async function deleteMapping(
  ctx: ServiceContext,
  input: { idOrName: string; dryRun: boolean },
): Promise<IntegrationMappingInfo> {
  return ctx.sql.transaction(async (tx) => {
    const mapping = await findMapping(tx, input.idOrName);
    if (input.dryRun) return mapping;
    await deleteMappingRow(typed(tx), mapping.id);
    await recordAudit(
      { ...ctx, sql: tx },
      { action: "mapping.delete", targetType: "mapping", targetId: mapping.id, metadata: { name: mapping.name } },
    );
    return mapping;
  });
}

/** What zod cannot see: patterns that do not compile, JSONata with a syntax error. */
async function checkExpressions(spec: MappingSpec): Promise<void> {
  const issues: string[] = [];
  spec.validationRules.forEach((rule, i) => {
    if (rule.kind !== "pattern") return;
    try {
      new RegExp(rule.pattern);
    } catch (error) {
      issues.push(`validationRules.${i}.pattern: ${(error as Error).message}`);
    }
  });
  const jsonataRules = spec.transformationRules.map((r, i) => [r, i] as const).filter(([r]) => r.kind === "jsonata");
  if (jsonataRules.length) {
    const { default: jsonata } = await import("jsonata");
    for (const [rule, i] of jsonataRules) {
      try {
        jsonata((rule as { expression: string }).expression);
      } catch (error) {
        issues.push(`transformationRules.${i}.expression: ${(error as Error).message}`);
      }
    }
  }
  if (issues.length)
    throw new UsageError(
      `The mapping is invalid; nothing was saved:\n  ${issues.join("\n  ")}`,
      undefined,
      "INVALID_MAPPING",
    );
}
