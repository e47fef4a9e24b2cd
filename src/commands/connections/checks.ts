import type { Command } from "commander";
import { sinceOption } from "../../cli/flags.js";
import type { ContextFactory } from "../../cli/program.js";
import { listHealthChecks } from "../../services/connections/health-history.js";
import { parseLimit, parseSince } from "./flags.js";
import { printHealthChecks } from "./render.js";

export function registerChecks(connections: Command, context: ContextFactory): void {
  connections
    .command("checks <id>")
    .description("A connection's health-check history, newest first")
    .addOption(sinceOption("only checks since"))
    .option("--limit <n>", "at most this many", "100")
    .action(async (id: string, flags: { since?: string; limit: string }, cmd: Command) => {
      const ctx = context(cmd);
      const since = flags.since === undefined ? undefined : parseSince(ctx, flags.since);
      await printHealthChecks(
        ctx,
        await listHealthChecks(await ctx.services(), id, { since, limit: parseLimit(flags.limit) }),
      );
    });
}
