import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { EVENT_TYPE_FIELDS } from "../../../types/integration/webhook.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { createEventType } from "../../../services/webhooks/event-types.js";
import { readSchema } from "./schema-file.js";
import { examples } from "../../examples.js";

export function registerCreate(types: Command, context: ContextFactory): void {
  jsonFields(types.command("create <name>"), EVENT_TYPE_FIELDS)
    .description("Add an event type: dot-separated lowercase segments, e.g. invoice.paid")
    .option("--description <text>", "what the event means")
    .option("--schema-file <file>", "a JSON Schema for the event's data, stored with the type")
    .addHelpText(
      "after",
      examples([
        [
          "Add an event type",
          "intg webhooks event-types create invoice.paid --description 'An invoice was paid in full'",
        ],
        [
          "With a JSON Schema that every event's data must match",
          "intg webhooks event-types create invoice.paid --schema-file ./schemas/invoice.paid.json",
        ],
      ]),
    )
    .action(async (name: string, flags: { description?: string; schemaFile?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const schema = flags.schemaFile ? readSchema(flags.schemaFile) : null;
      const created = await createEventType(await ctx.services(), {
        name,
        description: flags.description?.trim() || null,
        schema,
      });
      if (ctx.out.json) return ctx.out.printJson(created);
      ctx.out.success(`Created event type ${created.name}.`);
    });
}
