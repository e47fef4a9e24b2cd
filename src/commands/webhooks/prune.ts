import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { PRUNE_FIELDS } from "../../types/integration/webhook-delivery.fields.js";
import { UsageError } from "../../errors.js";
import { durationOption } from "../../cli/flags.js";
import { parseDurationFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { formatDuration } from "../../lib/duration.js";
import { prune } from "../../services/webhooks/prune/prune.js";
import { examples } from "../examples.js";

interface PruneFlags {
  dryRun?: boolean;
  olderThan?: string;
}

export function registerPrune(noun: Command, context: ContextFactory): void {
  jsonFields(noun.command("prune"), PRUNE_FIELDS)
    .description(
      "Delete events, deliveries and their attempts (with response bodies) past each endpoint's retention policy, in batches",
    )
    .option("-n, --dry-run", "count what would be removed; write nothing")
    .addOption(
      durationOption(
        "--older-than <duration>",
        "use this age instead of every finite policy's (FOREVER still keeps everything)",
      ),
    )
    .addHelpText(
      "after",
      "\nRetention comes from the endpoint's webhook (DAYS_30 without one): DAYS_7, DAYS_30 and DAYS_90 keep deliveries\n" +
        "for 7, 30 and 90 days after they were created; FOREVER keeps them. Deliveries still PENDING or SENDING are\n" +
        "never removed. An event goes once no delivery refers to it and it is older than the shortest retention in use.\n" +
        "Removes 1,000 rows per transaction. --json prints the counts.",
    )
    .addHelpText(
      "after",
      examples([
        ["Count what the retention policies would remove", "intg webhooks prune --dry-run"],
        ["Remove it (e.g. nightly from cron)", "intg webhooks prune --quiet"],
        ["Remove everything older than 14 days, whatever the policy", "intg webhooks prune --older-than 14d"],
      ]),
    )
    .action(async (flags: PruneFlags, cmd: Command) => {
      const ctx = context(cmd);
      const olderThanMs = flags.olderThan === undefined ? null : parseDurationFlag("--older-than", flags.olderThan);
      if (olderThanMs !== null && olderThanMs < 60_000)
        throw new UsageError(
          "--older-than must be at least 1m.",
          "A shorter age would race deliveries being created now.",
        );
      const report = await prune(await ctx.services(), { dryRun: Boolean(flags.dryRun), olderThanMs });
      if (ctx.out.json) return ctx.out.printJson(report);
      const r = report.removed;
      await ctx.out.table(
        ["KIND", report.dryRun ? "WOULD REMOVE" : "REMOVED"],
        [
          ["events", r.events],
          ["deliveries", r.deliveries],
          ["attempts", r.attempts],
          ["response bodies", r.responseBodies],
        ],
      );
      const ages = Object.entries(report.policies)
        .map(([p, ms]) => `${p} ${ms === null ? "kept" : formatDuration(ms)}`)
        .join(", ");
      ctx.out.info(
        `${report.dryRun ? "Dry run, nothing written" : `Done in ${report.batches} batch(es)`}; retention: ${ages}.`,
      );
    });
}
