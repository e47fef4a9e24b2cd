import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { AUDIT_EVENT_FIELDS } from "../../types/integration/api.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { UsageError } from "../../errors.js";
import { sinceOption } from "../../cli/flags.js";
import { parseWhenFlag } from "../../cli/parse.js";
import { listAudit } from "../../services/audit/list.js";
import { examples } from "../examples.js";

export function registerList(audit: Command, context: ContextFactory): void {
  jsonFields(audit.command("list"), AUDIT_EVENT_FIELDS)
    .description("Newest events first")
    .addOption(sinceOption("only events since"))
    .option("--target <id-or-type>", "only events about this target id (key_…) or target type (api_key)")
    .option("--action <action>", "only this action, e.g. key.rotate")
    .option("--limit <n>", "at most this many", "100")
    .addHelpText(
      "after",
      examples([
        ["The newest audit events", "intg audit list"],
        ["Everything that happened to one key in the last week", "intg audit list --target key_01JD8Q3ZK7 --since 7d"],
        ["The last 20 key rotations, as JSON", "intg audit list --action key.rotate --limit 20 --json"],
      ]),
    )
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
