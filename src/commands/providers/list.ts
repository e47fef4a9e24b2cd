import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { PROVIDER_FIELDS } from "../../types/integration/integration.fields.js";
import { enumOption } from "../../cli/flags.js";
import { parseEnum } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { listProviders } from "../../services/providers/rows.js";
import { IntegrationCategory, IntegrationProviderStatus } from "../../types/enums.js";
import { printProviders } from "./render.js";
import { examples } from "../examples.js";

export function registerList(providers: Command, context: ContextFactory): void {
  jsonFields(providers.command("list"), PROVIDER_FIELDS)
    .alias("ls")
    .description("List providers with their auth type and connection count")
    .addOption(enumOption("--status <status>", "only this status", IntegrationProviderStatus))
    .addOption(enumOption("--category <category>", "only this category", IntegrationCategory))
    .addHelpText(
      "after",
      examples([
        ["List providers", "intg providers list"],
        ["Active payment providers, as JSON", "intg providers list --status active --category payments --json"],
      ]),
    )
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
