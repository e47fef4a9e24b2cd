import type { Command } from "commander";
import { parseEnum } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { listProviders, showProvider } from "../../services/providers/rows.js";
import { IntegrationCategory, IntegrationProviderStatus } from "../../types/enums.js";
import { printProvider, printProviders, printTemplates } from "./render.js";

export function registerList(providers: Command, context: ContextFactory): void {
  providers
    .command("list")
    .alias("ls")
    .description("List providers with their auth type and connection count")
    .option("--status <status>", "only this status: active, beta, deprecated, disabled")
    .option("--category <category>", "only this category")
    .action(async (flags: { status?: string; category?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const filter = {
        status: flags.status === undefined ? undefined : parseEnum("--status", flags.status, IntegrationProviderStatus),
        category:
          flags.category === undefined ? undefined : parseEnum("--category", flags.category, IntegrationCategory),
      };
      await printProviders(ctx, await listProviders(await ctx.services(), filter));
    });
  providers
    .command("show <id-or-slug>")
    .description("Show one provider: auth, health check, rate limit, pagination")
    .action(async (ref: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printProvider(ctx, await showProvider(await ctx.services(), ref));
    });
  providers
    .command("templates")
    .description("List the built-in catalog of well-known APIs (create one with --from-template)")
    .action(async (_flags, cmd: Command) => {
      // The catalog is built in: no database is opened.
      const { listTemplates } = await import("../../services/providers/catalog.js");
      await printTemplates(context(cmd), listTemplates());
    });
}
