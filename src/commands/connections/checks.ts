import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { HEALTH_CHECK_FIELDS } from "../../types/integration/integration.fields.js";
import { sinceOption } from "../../cli/flags.js";
import type { ContextFactory } from "../../cli/program.js";
import { listHealthChecks } from "../../services/connections/health-history.js";
import { parseLimit, parseSince } from "./flags.js";
import { printHealthChecks } from "./render.js";
import { examples } from "../examples.js";

export function registerChecks(connections: Command, context: ContextFactory): void {
  jsonFields(connections.command("checks <id>"), HEALTH_CHECK_FIELDS)
    .description("A connection's health-check history, newest first")
    .addOption(sinceOption("only checks since"))
    .option("--limit <n>", "at most this many", "100")
    .addHelpText(
      "after",
      examples([
        ["A connection's health-check history", "intg connections checks conn_01JD8T6B9C"],
        [
          "The last week's, at most 20, as JSON",
          "intg connections checks conn_01JD8T6B9C --since 7d --limit 20 --json",
        ],
      ]),
    )
    .action(async (id: string, flags: { since?: string; limit: string }, cmd: Command) => {
      const ctx = context(cmd);
      const since = flags.since === undefined ? undefined : parseSince(ctx, flags.since);
      await printHealthChecks(
        ctx,
        await listHealthChecks(await ctx.services(), id, { since, limit: parseLimit(flags.limit) }),
      );
    });
}
