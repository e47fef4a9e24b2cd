import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { MAPPING_FIELDS } from "../../../types/integration/external-reference.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { listMappingsOf } from "../../../services/refs/mapping-rows.js";
import { printMappings } from "./render.js";
import { examples } from "../../examples.js";

export function registerList(mappings: Command, context: ContextFactory): void {
  jsonFields(mappings.command("list"), MAPPING_FIELDS)
    .alias("ls")
    .description("List mappings")
    .option("--provider <id>", "only this provider's (id or slug)")
    .addHelpText(
      "after",
      examples([
        ["List mappings", "intg refs mappings list"],
        ["One provider's, as JSON", "intg refs mappings list --provider hubspot --json"],
      ]),
    )
    .action(async (flags: { provider?: string }, cmd: Command) => {
      const ctx = context(cmd);
      await printMappings(ctx, await listMappingsOf(await ctx.services(), { provider: flags.provider ?? null }));
    });
}
