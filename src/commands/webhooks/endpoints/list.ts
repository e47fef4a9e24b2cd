import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { ENDPOINT_FIELDS } from "../../../types/integration/webhook.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { listEndpoints } from "../../../services/webhooks/endpoint-rows.js";
import { printEndpoints } from "../render.js";
import { examples } from "../../examples.js";

export function registerList(endpoints: Command, context: ContextFactory): void {
  jsonFields(endpoints.command("list"), ENDPOINT_FIELDS)
    .alias("ls")
    .description("List endpoints (never their secrets)")
    .addHelpText(
      "after",
      examples([
        ["List endpoints", "intg webhooks endpoints list"],
        [
          "The ids of the disabled ones, from the JSON",
          "intg webhooks endpoints list --json | jq -r '.[] | select(.enabled | not) | .id'",
        ],
      ]),
    )
    .action(async (_flags, cmd: Command) => {
      const ctx = context(cmd);
      await printEndpoints(ctx, await listEndpoints(await ctx.services()));
    });
}
