import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { UsageError } from "../../errors.js";
import { sinceOption } from "../../cli/flags.js";
import { parseWhenFlag } from "../../cli/parse.js";
import { listAudit } from "../../services/audit/list.js";

export function registerList(audit: Command, context: ContextFactory): void {
  audit
    .command("list")
    .description("Newest events first")
    .addOption(sinceOption("only events since"))
    .option("--target <id-or-type>", "only events about this target id (key_…) or target type (api_key)")
    .option("--action <action>", "only this action, e.g. key.rotate")
    .option("--limit <n>", "at most this many", "100")
    .action(async (flags: { since?: string; target?: string; action?: string; limit: string }, cmd: Command) => {
      const ctx = context(cmd);
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new UsageError(`--limit: "${flags.limit}" is not a positive whole number.`);
      const since = flags.since ? parseWhenFlag("--since", flags.since, ctx.now()) : undefined;
      const events = await listAudit(await ctx.services(), {
        since,
        target: flags.target,
        action: flags.action,
        limit,
      });
      if (ctx.out.json) return ctx.out.printJson(events);
      if (events.length === 0) return ctx.out.info("No audit events found.");
      await ctx.out.table(
        ["TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME", "REASON"],
        events.map((e) => [e.createdAt, e.actor, e.action, e.targetId ?? e.targetType, e.outcome, e.reason ?? ""]),
      );
    });
}
