import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { createEventType, listEventTypes } from "../../services/webhooks/event-types.js";
import type { JsonValue } from "../../types/common.js";
import { registerEventTypeChanges } from "./event-types-manage.js";

export function registerEventTypes(noun: Command, context: ContextFactory): void {
  const types = noun.command("event-types").description("The catalog of event types: send refuses a type not in it");
  types
    .command("create <name>")
    .description("Add an event type: dot-separated lowercase segments, e.g. invoice.paid")
    .option("--description <text>", "what the event means")
    .option("--schema-file <file>", "a JSON Schema for the event's data, stored with the type")
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
  types
    .command("list")
    .alias("ls")
    .description("List the event types")
    .action(async (_flags, cmd: Command) => {
      const ctx = context(cmd);
      const list = await listEventTypes(await ctx.services());
      if (ctx.out.json) return ctx.out.printJson(list);
      if (list.length === 0)
        return ctx.out.info("No event types. Add one with: intg webhooks event-types create <name>");
      await ctx.out.table(
        ["NAME", "DESCRIPTION", "SCHEMA", "DEPRECATED", "CREATED"],
        list.map((t) => [t.name, t.description ?? "", t.schema ? "yes" : "", t.archivedAt ?? "", t.createdAt]),
      );
    });
  registerEventTypeChanges(types, context);
}

export function readSchema(file: string): JsonValue {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; nothing was written.`,
    );
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${file} is not JSON: ${(error as Error).message}; nothing was written.`,
      undefined,
      "INVALID_JSON",
    );
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema))
    throw new UsageError(`${file} is not a JSON Schema (an object); nothing was written.`, undefined, "INVALID_SCHEMA");
  return schema as JsonValue;
}
