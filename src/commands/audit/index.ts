import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { CheckFailedError } from "../../cli/errors.js";
import { parseDurationFlag } from "../../cli/parse.js";
import { UsageError } from "../../cli/errors.js";
import { listAudit } from "../../services/audit/list.js";
import { verifyAuditChain } from "../../services/audit/verify.js";

export function registerAudit(audit: Command, context: ContextFactory): void {
  audit
    .command("list")
    .description("Newest events first")
    .option("--since <duration>", "only events newer than this, e.g. 24h")
    .option("--target <id-or-type>", "only events about this target id (key_…) or target type (api_key)")
    .option("--action <action>", "only this action, e.g. key.rotate")
    .option("--limit <n>", "at most this many", "100")
    .action(async (flags: { since?: string; target?: string; action?: string; limit: string }, cmd: Command) => {
      const ctx = context(cmd);
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: "${flags.limit}" is not a positive whole number.`);
      const since = flags.since ? new Date(ctx.now().getTime() - parseDurationFlag("--since", flags.since)) : undefined;
      const events = await listAudit(await ctx.services(), { since, target: flags.target, action: flags.action, limit });
      if (ctx.out.json) return ctx.out.printJson(events);
      if (events.length === 0) return ctx.out.info("No audit events found.");
      await ctx.out.table(["TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME", "REASON"], events.map((e) => [e.createdAt, e.actor, e.action, e.targetId ?? e.targetType, e.outcome, e.reason ?? ""]));
    });
  audit
    .command("verify")
    .description("Recompute the hash chain; exits 3 naming the first event that was edited, deleted or inserted")
    .action(async (_flags, cmd: Command) => {
      const ctx = context(cmd);
      const report = await verifyAuditChain(await ctx.services());
      if (ctx.out.json) ctx.out.printJson(report);
      if (!report.ok) {
        const at = report.firstBad!;
        throw new CheckFailedError(`The audit log is broken at event #${at.seq}${at.id ? ` (${at.id})` : ""}: ${at.reason}. ${report.checked} event(s) before it are intact.`, "AUDIT_CHAIN_BROKEN");
      }
      if (!ctx.out.json) ctx.out.success(`The audit log is intact (${report.checked} events).`);
    });
}
