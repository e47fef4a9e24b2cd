import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { CONNECTION_FIELDS } from "../../types/integration/integration.fields.js";
import { UsageError } from "../../errors.js";
import { rateLimitOption } from "../../cli/flags.js";
import { collect, parseKeyValues } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { parseRatePerMinute } from "./flags.js";
import { printConnection } from "./render.js";
import { examples } from "../examples.js";

interface UpdateFlags {
  name?: string;
  config: string[];
  unset: string[];
  rateLimit?: string;
}

export function registerUpdate(connections: Command, context: ContextFactory): void {
  jsonFields(connections.command("update <id>"), CONNECTION_FIELDS)
    .description("Rename a connection, change its settings or its rate limit")
    .option("--name <name>", "a new name")
    .option("--config <key=value>", "set a setting (repeatable)", collect, [])
    .option("--unset <key>", "remove a setting (repeatable)", collect, [])
    .addOption(
      rateLimitOption("requests through it ('default': the provider's)", { unit: "minute", keyword: "default" }),
    )
    .addHelpText(
      "after",
      examples([
        ["Rename a connection", "intg connections update conn_01JD8T6B9C --name billing-main"],
        [
          "Set one setting and remove another",
          "intg connections update conn_01JD8T6B9C --config region=eu --unset sandbox",
        ],
        ["Go back to the provider's rate limit", "intg connections update conn_01JD8T6B9C --rate-limit default"],
      ]),
    )
    .action(async (id: string, flags: UpdateFlags, cmd: Command) => {
      const ctx = context(cmd);
      const config: Record<string, string | null> = parseKeyValues("--config", flags.config);
      for (const key of flags.unset) config[key] = null;
      const rateLimitPerMinute =
        flags.rateLimit === undefined
          ? undefined
          : flags.rateLimit === "default"
            ? null
            : parseRatePerMinute(flags.rateLimit);
      if (flags.name === undefined && Object.keys(config).length === 0 && rateLimitPerMinute === undefined)
        throw new UsageError("Nothing to update.", "Give --name, --config, --unset or --rate-limit.");
      const { updateConnection } = await import("../../services/connections/write.js");
      const updated = await updateConnection(await ctx.services(), id, {
        name: flags.name,
        config,
        rateLimitPerMinute,
      });
      await printConnection(ctx, updated);
      ctx.out.success(`Updated connection ${id}.`);
    });
}
