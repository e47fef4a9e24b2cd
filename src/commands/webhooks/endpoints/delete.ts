import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { ENDPOINT_DELETION_FIELDS } from "../../../types/integration/webhook.fields.js";
import { confirmOrCancel } from "../../../cli/confirm.js";
import type { ContextFactory } from "../../../cli/program.js";
import { deleteEndpoint } from "../../../services/webhooks/delete-endpoint.js";
import { examples } from "../../examples.js";

export function registerDelete(endpoints: Command, context: ContextFactory): void {
  jsonFields(endpoints.command("delete <id>"), ENDPOINT_DELETION_FIELDS)
    .description("Delete an endpoint and its delivery history")
    .option("-n, --dry-run", "show what would be deleted, change nothing", false)
    .addHelpText(
      "after",
      examples([
        ["See what deleting an endpoint would remove", "intg webhooks endpoints delete ep_01JD8R2N5T --dry-run"],
        ["Delete it from a script, without the prompt", "intg webhooks endpoints delete ep_01JD8R2N5T --yes"],
      ]),
    )
    .action(async (id: string, flags: { dryRun: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const services = await ctx.services();
      const plan = await deleteEndpoint(services, id, { dryRun: true }); // not found before asking
      if (!flags.dryRun)
        await confirmOrCancel(
          ctx,
          `Delete ${id} (${plan.endpoint.url}) and its ${plan.deliveries} deliveries?`,
          "nothing was deleted",
        );
      const result = flags.dryRun ? plan : await deleteEndpoint(services, id);
      if (ctx.out.json) return ctx.out.printJson(result);
      if (result.dryRun)
        ctx.out.info(`Would delete ${id} (${result.endpoint.url}) and ${result.deliveries} deliveries.`);
      else ctx.out.success(`Deleted ${id} and ${result.deliveries} deliveries.`);
    });
}
