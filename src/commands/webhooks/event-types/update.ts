import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { EVENT_TYPE_FIELDS } from "../../../types/integration/webhook.fields.js";
import { UsageError } from "../../../errors.js";
import type { ContextFactory } from "../../../cli/program.js";
import { updateEventType } from "../../../services/webhooks/event-types.js";
import { readSchema } from "./schema-file.js";
import { examples } from "../../examples.js";

export function registerUpdate(types: Command, context: ContextFactory): void {
  jsonFields(types.command("update <name>"), EVENT_TYPE_FIELDS)
    .description("Change an event type's description or schema (checked before it is stored)")
    .option("--description <text>", "what the event means")
    .option("--schema-file <file>", "a JSON Schema (2020-12) for the event's data")
    .option("--no-schema", "remove the schema")
    .addHelpText(
      "after",
      examples([
        [
          "Change an event type's description",
          "intg webhooks event-types update invoice.paid --description 'An invoice was paid'",
        ],
        [
          "Replace its schema",
          "intg webhooks event-types update invoice.paid --schema-file ./schemas/invoice.paid.v2.json",
        ],
        ["Remove its schema", "intg webhooks event-types update invoice.paid --no-schema"],
      ]),
    )
    .action(
      async (name: string, flags: { description?: string; schemaFile?: string; schema: boolean }, cmd: Command) => {
        const ctx = context(cmd);
        if (flags.schemaFile !== undefined && !flags.schema)
          throw new UsageError("--schema-file and --no-schema contradict each other.");
        const schema = flags.schemaFile !== undefined ? readSchema(flags.schemaFile) : flags.schema ? undefined : null;
        if (flags.description === undefined && schema === undefined)
          throw new UsageError("Nothing to change: give --description, --schema-file or --no-schema.");
        const updated = await updateEventType(await ctx.services(), name, {
          description: flags.description?.trim() || (flags.description === undefined ? undefined : null),
          schema,
        });
        if (ctx.out.json) return ctx.out.printJson(updated);
        ctx.out.success(`Updated event type ${name}.`);
      },
    );
}
