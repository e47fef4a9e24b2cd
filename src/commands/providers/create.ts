import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { PROVIDER_FIELDS } from "../../types/integration/integration.fields.js";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { addProviderFlags, providerPatch, type ProviderFlags } from "./flags.js";
import { printProvider } from "./render.js";
import { examples } from "../examples.js";

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function registerCreate(providers: Command, context: ContextFactory): void {
  addProviderFlags(
    jsonFields(providers.command("create"), PROVIDER_FIELDS)
      .description("Create a provider from flags, or from a built-in template (flags override the template)")
      .option("--from-template <name>", "start from a template of the catalog (intg providers templates)"),
  )
    .addHelpText("after", "\nWithout --from-template, --slug, --name, --category, --base-url and --auth are required.")
    .addHelpText(
      "after",
      examples([
        ["Create a provider from a built-in template", "intg providers create --from-template stripe"],
        [
          "From a template, with its own slug and base URL",
          "intg providers create --from-template zendesk --slug zendesk-eu --base-url https://acme.zendesk.com",
        ],
        [
          "From flags alone",
          "intg providers create --slug billing --name Billing --category payments " +
            "--base-url https://billing.example.com --auth bearer_token --health-path /health",
        ],
      ]),
    )
    .action(async (flags: ProviderFlags & { fromTemplate?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const { templateDefinition } = await import("../../services/providers/catalog.js");
      const { createProvider } = await import("../../services/providers/write.js");
      const template = flags.fromTemplate === undefined ? undefined : templateDefinition(flags.fromTemplate);
      if (!template && (flags.slug === undefined || flags.baseUrl === undefined)) {
        throw new UsageError(
          "--slug, --name, --category, --base-url and --auth are needed without --from-template; nothing was written.",
          "Or start from a template: intg providers create --from-template stripe",
        );
      }
      const patch = defined(providerPatch(flags, template));
      const input = template ? { ...template, ...patch } : { name: flags.slug, ...patch };
      const created = await createProvider(await ctx.services(), input);
      if (ctx.out.quiet && !ctx.out.json) ctx.out.print(created.id);
      else await printProvider(ctx, created);
      ctx.out.success(`Created provider ${created.slug} (${created.id}).`);
    });
}
