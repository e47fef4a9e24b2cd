import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { ENDPOINT_FIELDS } from "../../../types/integration/webhook.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { showEndpoint } from "../../../services/webhooks/endpoint-rows.js";
import { printEndpoint } from "../render.js";
import { examples } from "../../examples.js";

export function registerShow(endpoints: Command, context: ContextFactory): void {
  jsonFields(endpoints.command("show <id>"), ENDPOINT_FIELDS)
    .description("Show one endpoint's settings (never its secret)")
    .addHelpText(
      "after",
      examples([
        ["Show one endpoint's settings", "intg webhooks endpoints show ep_01JD8R2N5T"],
        ["The same as JSON", "intg webhooks endpoints show ep_01JD8R2N5T --json"],
      ]),
    )
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printEndpoint(ctx, await showEndpoint(await ctx.services(), id));
    });
}
