import type { Command } from "commander";
import { confirmOrCancel } from "../../cli/confirm.js";
import type { ContextFactory } from "../../cli/program.js";
import { listMappingsOf, showMapping } from "../../services/refs/mapping-rows.js";
import { deleteMapping } from "../../services/refs/mappings.js";
import { printMapping, printMappings } from "./render-mappings.js";

export function registerMappingsManage(mappings: Command, context: ContextFactory): void {
  mappings
    .command("show <mapping>")
    .description("Show a mapping (by name or id)")
    .action(async (idOrName: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printMapping(ctx, await showMapping(await ctx.services(), { idOrName }));
    });
  mappings
    .command("list")
    .alias("ls")
    .description("List mappings")
    .option("--provider <id>", "only this provider's (id or slug)")
    .action(async (flags: { provider?: string }, cmd: Command) => {
      const ctx = context(cmd);
      await printMappings(ctx, await listMappingsOf(await ctx.services(), { provider: flags.provider ?? null }));
    });
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
