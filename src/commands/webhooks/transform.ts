import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { TRANSFORM_PREVIEW_FIELDS } from "../../types/integration/webhook-delivery.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { UsageError } from "../../errors.js";
import { previewTransformation } from "../../services/webhooks/transform.js";
import { examples } from "../examples.js";

export function registerTransform(noun: Command, context: ContextFactory): void {
  jsonFields(noun.command("transform"), TRANSFORM_PREVIEW_FIELDS)
    .description(
      "Show an event before and after an endpoint's transformation (what would be sent and signed); sends nothing",
    )
    .option("--endpoint <id>", "the endpoint whose transformation applies (required)")
    .option("--event <id>", "the event to transform (required)")
    .addHelpText(
      "after",
      examples([
        [
          "See what an endpoint's transformation makes of an event",
          "intg webhooks transform --endpoint ep_01JD8R2N5T --event evt_01JD8R7W3K",
        ],
        ["The same as JSON", "intg webhooks transform --endpoint ep_01JD8R2N5T --event evt_01JD8R7W3K --json"],
      ]),
    )
    .action(async (flags: { endpoint?: string; event?: string }, cmd: Command) => {
      const ctx = context(cmd);
      if (!flags.endpoint || !flags.event) throw new UsageError("Give both --endpoint <id> and --event <id>.");
      const preview = await previewTransformation(await ctx.services(), flags.endpoint, flags.event);
      if (ctx.out.json) return ctx.out.printJson(preview);
      const how =
        preview.transformation === null
          ? "none: the recorded bytes are sent"
          : preview.transformation.kind === "jsonata"
            ? `JSONata: ${preview.transformation.expression}`
            : `${preview.transformation.format.toLowerCase()} message`;
      ctx.out.print(
        `transformation: ${how}\n\nbefore:\n${JSON.stringify(preview.before, null, 2)}\n\nafter:\n${JSON.stringify(preview.after, null, 2)}`,
      );
    });
}
