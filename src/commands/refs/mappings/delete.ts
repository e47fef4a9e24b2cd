import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { MAPPING_FIELDS } from "../../../types/integration/external-reference.fields.js";
import { confirmOrCancel } from "../../../cli/confirm.js";
import type { ContextFactory } from "../../../cli/program.js";
import { deleteMapping } from "../../../services/refs/mappings.js";
import { printMapping } from "./render.js";
import { examples } from "../../examples.js";

export function registerDelete(mappings: Command, context: ContextFactory): void {
  jsonFields(mappings.command("delete <mapping>"), MAPPING_FIELDS)
    .description("Delete a mapping; references made with it stay")
    .option("-n, --dry-run", "show the mapping that would be deleted, change nothing", false)
    .addHelpText(
      "after",
      examples([
        ["See which mapping would be deleted", "intg refs mappings delete hubspot-contacts --dry-run"],
        ["Delete it from a script, without the prompt", "intg refs mappings delete hubspot-contacts --yes"],
      ]),
    )
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
