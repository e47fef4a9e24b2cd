import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { showProvider } from "../../services/providers/rows.js";
import { addProviderFlags, providerPatch, type ProviderFlags } from "./flags.js";
import { printProvider } from "./render.js";

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function registerCreate(providers: Command, context: ContextFactory): void {
  addProviderFlags(
    providers
      .command("create")
      .description("Create a provider from flags, or from a built-in template (flags override the template)")
      .option("--from-template <name>", "start from a template of the catalog (intg providers templates)"),
  )
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  intg providers create --from-template stripe",
        "  intg providers create --from-template zendesk --slug zendesk-eu --base-url https://acme.zendesk.com",
        "  intg providers create --slug billing --name Billing --category payments --base-url https://billing.example.com --auth bearer_token --health-path /health",
      ].join("\n"),
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
      await printProvider(ctx, created);
      ctx.out.success(`Created provider ${created.slug} (${created.id}).`);
    });

  addProviderFlags(
    providers.command("update <id-or-slug>").description("Change a provider's settings; the result is validated whole"),
  ).action(async (ref: string, flags: ProviderFlags, cmd: Command) => {
    const ctx = context(cmd);
    const services = await ctx.services();
    const current = await showProvider(services, ref);
    const patch = providerPatch(flags, current.connector);
    if (Object.values(patch).every((v) => v === undefined))
      throw new UsageError("Nothing to update: give at least one setting flag.", "See: intg providers update --help");
    const { updateProvider } = await import("../../services/providers/write.js");
    const updated = await updateProvider(services, current.id, patch);
    await printProvider(ctx, updated);
    ctx.out.success(`Updated provider ${updated.slug}.`);
  });

  providers
    .command("deprecate <id-or-slug>")
    .description("Mark a provider deprecated: its connections keep working, new ones are warned")
    .action(async (ref: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      const { deprecateProvider } = await import("../../services/providers/write.js");
      const updated = await deprecateProvider(await ctx.services(), ref);
      await printProvider(ctx, updated);
      ctx.out.success(`Deprecated provider ${updated.slug}.`);
    });
}
