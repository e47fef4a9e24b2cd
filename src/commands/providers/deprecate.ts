import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { PROVIDER_FIELDS } from "../../types/integration/integration.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { printProvider } from "./render.js";
import { examples } from "../examples.js";

export function registerDeprecate(providers: Command, context: ContextFactory): void {
  jsonFields(providers.command("deprecate <id-or-slug>"), PROVIDER_FIELDS)
    .description("Mark a provider deprecated: its connections keep working, new ones are warned")
    .addHelpText(
      "after",
      examples([
        [
          "Deprecate a provider: its connections keep working, new ones are warned",
          "intg providers deprecate legacy-crm",
        ],
      ]),
    )
    .action(async (ref: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      const { deprecateProvider } = await import("../../services/providers/write.js");
      const updated = await deprecateProvider(await ctx.services(), ref);
      await printProvider(ctx, updated);
      ctx.out.success(`Deprecated provider ${updated.slug}.`);
    });
}
