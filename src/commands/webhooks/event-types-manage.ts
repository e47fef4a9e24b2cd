import type { Command } from "commander";
import { confirmOrCancel } from "../../cli/confirm.js";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { deleteEventType, deprecateEventType, updateEventType } from "../../services/webhooks/event-types.js";
import { readSchema } from "./event-types.js";

// `event-types update|deprecate|undeprecate|delete`: the catalog changes as the events do.

export function registerEventTypeChanges(types: Command, context: ContextFactory): void {
  types
    .command("update <name>")
    .description("Change an event type's description or schema (checked before it is stored)")
    .option("--description <text>", "what the event means")
    .option("--schema-file <file>", "a JSON Schema (2020-12) for the event's data")
    .option("--no-schema", "remove the schema")
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
  for (const deprecated of [true, false]) {
    types
      .command(deprecated ? "deprecate <name>" : "undeprecate <name>")
      .description(
        deprecated ? "Mark an event type deprecated: it still sends, with a warning" : "Take the deprecation back",
      )
      .action(async (name: string, _flags, cmd: Command) => {
        const ctx = context(cmd);
        const info = await deprecateEventType(await ctx.services(), name, deprecated);
        if (ctx.out.json) return ctx.out.printJson(info);
        ctx.out.success(`${name} is ${deprecated ? "deprecated" : "no longer deprecated"}.`);
      });
  }
  types
    .command("delete <name>")
    .description("Remove an event type; refused (exit 6) while events of it are kept, unless --force")
    .option("--force", "delete even though events of the type are kept", false)
    .action(async (name: string, flags: { force: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      await confirmOrCancel(ctx, `Delete the event type ${name}?`, "nothing was deleted");
      const result = await deleteEventType(await ctx.services(), name, { force: flags.force });
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.success(
        `Deleted event type ${name}${result.events ? ` (${result.events} event(s) of it are kept)` : ""}.`,
      );
    });
}
