import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { EVENT_TYPE_DELETION_FIELDS } from "../../../types/integration/webhook.fields.js";
import { confirmOrCancel } from "../../../cli/confirm.js";
import type { ContextFactory } from "../../../cli/program.js";
import { deleteEventType } from "../../../services/webhooks/event-types.js";
import { examples } from "../../examples.js";

export function registerDelete(types: Command, context: ContextFactory): void {
  jsonFields(types.command("delete <name>"), EVENT_TYPE_DELETION_FIELDS)
    .description("Remove an event type; refused (exit 6) while events of it are kept, unless --force")
    .option("--force", "delete even though events of the type are kept", false)
    .addHelpText(
      "after",
      examples([
        ["Remove an event type no event uses", "intg webhooks event-types delete invoice.legacy"],
        ["Remove it although events of it are kept", "intg webhooks event-types delete invoice.legacy --force --yes"],
      ]),
    )
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
