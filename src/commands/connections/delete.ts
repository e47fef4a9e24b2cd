import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { CONNECTION_DELETION_FIELDS } from "../../types/integration/integration.fields.js";
import { confirmOrCancel } from "../../cli/confirm.js";
import type { ContextFactory } from "../../cli/program.js";
import { examples } from "../examples.js";

export function registerDelete(connections: Command, context: ContextFactory): void {
  jsonFields(connections.command("delete <id>"), CONNECTION_DELETION_FIELDS)
    .description("Delete a connection, its credential and its health history")
    .option("-n, --dry-run", "show what would be deleted, change nothing", false)
    .addHelpText(
      "after",
      examples([
        ["See what deleting a connection would remove", "intg connections delete conn_01JD8T6B9C --dry-run"],
        ["Delete it from a script, without the prompt", "intg connections delete conn_01JD8T6B9C --yes"],
      ]),
    )
    .action(async (id: string, flags: { dryRun: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const services = await ctx.services();
      const { deleteConnection } = await import("../../services/connections/write.js");
      const plan = await deleteConnection(services, id, { dryRun: true }); // not found before asking
      if (!flags.dryRun)
        await confirmOrCancel(
          ctx,
          `Delete ${id} (${plan.connection.provider.slug} ${plan.connection.name}), its credential and ${plan.healthChecks} health checks?`,
          "nothing was deleted",
        );
      const result = flags.dryRun ? plan : await deleteConnection(services, id);
      if (ctx.out.json) return ctx.out.printJson(result);
      if (result.dryRun) ctx.out.info(`Would delete ${id}, its credential and ${result.healthChecks} health checks.`);
      else ctx.out.success(`Deleted ${id}, its credential and ${result.healthChecks} health checks.`);
    });
}
