import type { Command } from "commander";
import { confirmOrCancel } from "../../../cli/confirm.js";
import type { ContextFactory } from "../../../cli/program.js";
import { deleteMapping } from "../../../services/refs/mappings.js";
import { printMapping } from "./render.js";

export function registerDelete(mappings: Command, context: ContextFactory): void {
  mappings
    .command("delete <mapping>")
    .description("Delete a mapping; references made with it stay")
    .option("-n, --dry-run", "show the mapping that would be deleted, change nothing", false)
    .action(async (idOrName: string, flags: { dryRun: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const services = await ctx.services();
      const mapping = await deleteMapping(services, { idOrName, dryRun: true }); // not found before asking
      if (flags.dryRun) return printMapping(ctx, mapping);
      await confirmOrCancel(ctx, `Delete mapping ${mapping.name} (${mapping.id})?`, "nothing was deleted");
      await deleteMapping(services, { idOrName, dryRun: false });
      if (ctx.out.json) return ctx.out.printJson(mapping);
      ctx.out.success(`Deleted mapping ${mapping.name}.`);
    });
}
