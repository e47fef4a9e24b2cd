import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { MAPPING_FIELDS } from "../../../types/integration/external-reference.fields.js";
import { UsageError } from "../../../errors.js";
import { collect } from "../../../cli/parse.js";
import type { ContextFactory } from "../../../cli/program.js";
import { setMapping } from "../../../services/refs/mappings.js";
import { readJson } from "../read-json.js";
import { printMapping } from "./render.js";
import { examples } from "../../examples.js";

interface SetFlags {
  file?: string;
  provider?: string;
  connection?: string;
  entityType?: string;
  externalType?: string;
  field?: string[];
}

export function registerSet(mappings: Command, context: ContextFactory): void {
  jsonFields(mappings.command("set <name>"), MAPPING_FIELDS)
    .description("Create a mapping, or replace the definition of the one with that name")
    .option(
      "--file <json>",
      "the mapping: {fieldMappings, transformationRules, validationRules, syncPreferences} ('-' reads stdin)",
    )
    .option("--provider <id>", "the provider (id or slug)")
    .option("--connection <id>", "only for this connection of the provider")
    .option("--entity-type <type>", "the platform's type, e.g. user")
    .option("--external-type <type>", "the provider's type, e.g. contact")
    .option(
      "--field <source=target>",
      "a field mapping, source path to target path; end with ! if required (repeatable)",
      collect,
    )
    .addHelpText(
      "after",
      '\nExample file: {"fieldMappings":[{"source":"properties.email","target":"email","required":true}],\n  "transformationRules":[{"kind":"lowercase","field":"email"}],\n  "validationRules":[{"kind":"pattern","field":"email","pattern":"@"}]}',
    )
    .addHelpText(
      "after",
      examples([
        [
          "Map HubSpot contacts to users, field by field (! marks a required field)",
          "intg refs mappings set hubspot-contacts --provider hubspot --entity-type user --external-type contact " +
            "--field 'properties.email=email!' --field properties.firstname=firstName",
        ],
        ["Create or replace a mapping from a file", "intg refs mappings set hubspot-contacts --file mapping.json"],
      ]),
    )
    .action(async (name: string, flags: SetFlags, cmd: Command) => {
      const ctx = context(cmd);
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name))
        throw new UsageError(`"${name}" is not a mapping name: letters, digits, _ . -, at most 64.`);
      if (!flags.file && !flags.field)
        throw new UsageError("Give the mapping with --file <json> or one --field source=target per field.");
      const body = flags.file ? await readJson(ctx, flags.file, "The mapping") : {};
      if (body === null || typeof body !== "object" || Array.isArray(body))
        throw new UsageError("The mapping file must hold one JSON object.");
      const fields = (flags.field ?? []).map(parseField);
      const merged = {
        ...body,
        ...(flags.provider && { provider: flags.provider }),
        ...(flags.connection && { connection: flags.connection }),
        ...(flags.entityType && { entityType: flags.entityType }),
        ...(flags.externalType && { externalType: flags.externalType }),
        ...(fields.length && { fieldMappings: [...((body.fieldMappings as unknown[]) ?? []), ...fields] }),
      };
      // zod loads with the schema, only for this verb: every refs command would pay its start-up cost.
      const { MappingSpecSchema } = await import("../../../services/refs/mapping-schema.js");
      const parsed = MappingSpecSchema.safeParse(merged);
      if (!parsed.success) {
        const lines = parsed.error.issues.map((i) => `${i.path.join(".") || "(mapping)"}: ${i.message}`);
        throw new UsageError(
          `The mapping is invalid; nothing was saved:\n  ${lines.join("\n  ")}`,
          undefined,
          "INVALID_MAPPING",
        );
      }
      const result = await setMapping(await ctx.services(), { name, spec: parsed.data });
      await printMapping(ctx, result.mapping);
      ctx.out.success(`${result.action === "created" ? "Created" : "Updated"} mapping ${name} (${result.mapping.id}).`);
    });
}

function parseField(text: string): { source: string; target: string; required: boolean } {
  const eq = text.indexOf("=");
  if (eq <= 0)
    throw new UsageError(
      `--field: "${text}" is not source=target.`,
      "Write it like properties.email=email, or properties.email=email! when required.",
    );
  const required = text.endsWith("!");
  return { source: text.slice(0, eq), target: text.slice(eq + 1, required ? -1 : undefined), required };
}
