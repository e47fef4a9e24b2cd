import type { CommandContext } from "../../../cli/context.js";
import type { IntegrationMappingInfo } from "../../../types/integration/external-reference.types.js";

export async function printMappings(ctx: CommandContext, mappings: IntegrationMappingInfo[]): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(mappings);
  if (mappings.length === 0)
    return ctx.out.info(
      "No mappings. Create one with: intg refs mappings set <name> --provider <p> --entity-type <t> --external-type <t> --field a=b",
    );
  await ctx.out.table(
    ["ID", "NAME", "PROVIDER", "CONNECTION", "ENTITY", "EXTERNAL", "FIELDS", "RULES", "CHECKS"],
    mappings.map((m) => [
      m.id,
      m.name,
      m.providerId,
      m.connectionId ?? "(all)",
      m.entityType,
      m.externalType,
      m.fieldMappings.length,
      m.transformationRules.length,
      m.validationRules.length,
    ]),
  );
}

export async function printMapping(ctx: CommandContext, m: IntegrationMappingInfo): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(m);
  await ctx.out.details([
    ["id", m.id],
    ["name", m.name],
    ["provider", m.providerId],
    ["connection", m.connectionId ?? "(every connection)"],
    ["entity type", m.entityType],
    ["external type", m.externalType],
    [
      "fields",
      m.fieldMappings
        .map(
          (f) =>
            `${f.source} → ${f.target}${f.required ? " (required)" : ""}${f.default !== undefined ? ` (default ${JSON.stringify(f.default)})` : ""}`,
        )
        .join("\n"),
    ],
    ["transformations", m.transformationRules.map((r) => `${r.kind}${r.field ? ` ${r.field}` : ""}`).join("\n")],
    ["validations", m.validationRules.map((r) => `${r.kind} ${r.field}`).join("\n")],
    [
      "sync",
      m.syncPreferences
        ? `${m.syncPreferences.direction}, on conflict ${m.syncPreferences.conflictPolicy}${m.syncPreferences.scheduleIntervalMs ? `, every ${m.syncPreferences.scheduleIntervalMs / 1000}s` : ""}`
        : "",
    ],
    ["created", m.createdAt],
    ["updated", m.updatedAt],
  ]);
}
