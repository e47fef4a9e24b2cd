import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { PROVIDER_FIELDS } from "../../types/integration/integration.fields.js";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { showProvider } from "../../services/providers/rows.js";
import { addProviderFlags, providerPatch, type ProviderFlags } from "./flags.js";
import { printProvider } from "./render.js";
import { examples } from "../examples.js";

export function registerUpdate(providers: Command, context: ContextFactory): void {
  const command = addProviderFlags(
    jsonFields(providers.command("update <id-or-slug>"), PROVIDER_FIELDS).description(
      "Change a provider's settings; the result is validated whole",
    ),
  );
  command.addHelpText(
    "after",
    examples([
      ["Lower a provider's default rate limit", "intg providers update stripe --rate-limit 50"],
      [
        "Send its API key in a header of your choice",
        "intg providers update billing --auth api_key --auth-placement header --auth-name X-Api-Key",
      ],
      [
        "Point its health check somewhere else",
        "intg providers update billing --health-path /status --health-status 204",
      ],
    ]),
  );
  command.action(async (ref: string, flags: ProviderFlags, cmd: Command) => {
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
}
