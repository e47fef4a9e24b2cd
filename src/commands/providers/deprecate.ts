import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { printProvider } from "./render.js";
import { examples } from "../examples.js";

export function registerDeprecate(providers: Command, context: ContextFactory): void {
  providers
    .command("deprecate <id-or-slug>")
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
