import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { EVENT_TYPE_FIELDS } from "../../../types/integration/webhook.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { listEventTypes } from "../../../services/webhooks/event-types.js";
import { examples } from "../../examples.js";

export function registerList(types: Command, context: ContextFactory): void {
  jsonFields(types.command("list"), EVENT_TYPE_FIELDS)
    .alias("ls")
    .description("List the event types")
    .addHelpText(
      "after",
      examples([
        ["List the event types", "intg webhooks event-types list"],
        ["As JSON", "intg webhooks event-types list --json"],
      ]),
    )
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
}
