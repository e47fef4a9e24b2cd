import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { PROVIDER_FIELDS } from "../../types/integration/integration.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { showProvider } from "../../services/providers/rows.js";
import { printProvider } from "./render.js";
import { examples } from "../examples.js";

export function registerShow(providers: Command, context: ContextFactory): void {
  jsonFields(providers.command("show <id-or-slug>"), PROVIDER_FIELDS)
    .description("Show one provider: auth, health check, rate limit, pagination")
    .addHelpText(
      "after",
      examples([
        ["Show one provider by slug", "intg providers show stripe"],
        ["The same as JSON", "intg providers show stripe --json"],
      ]),
    )
    .action(async (ref: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printProvider(ctx, await showProvider(await ctx.services(), ref));
    });
}
