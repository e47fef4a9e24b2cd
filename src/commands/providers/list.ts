import type { Command } from "commander";
import { enumOption } from "../../cli/flags.js";
import { parseEnum } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { listProviders } from "../../services/providers/rows.js";
import { IntegrationCategory, IntegrationProviderStatus } from "../../types/enums.js";
import { printProviders } from "./render.js";

export function registerList(providers: Command, context: ContextFactory): void {
  providers
    .command("list")
    .alias("ls")
    .description("List providers with their auth type and connection count")
    .addOption(enumOption("--status <status>", "only this status", IntegrationProviderStatus))
    .addOption(enumOption("--category <category>", "only this category", IntegrationCategory))
    .action(async (flags: { status?: string; category?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const filter = {
        status: flags.status === undefined ? undefined : parseEnum("--status", flags.status, IntegrationProviderStatus),
        category:
          flags.category === undefined ? undefined : parseEnum("--category", flags.category, IntegrationCategory),
      };
      await printProviders(ctx, await listProviders(await ctx.services(), filter));
    });
}
