import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { API_METRICS_FIELDS } from "../../types/integration/api.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { durationOption, sinceOption } from "../../cli/flags.js";
import { parseDurationFlag, parseWhenFlag } from "../../cli/parse.js";
import { keyMetrics } from "../../services/keys/metrics.js";
import { examples } from "../examples.js";

export function registerMetrics(keys: Command, context: ContextFactory): void {
  jsonFields(keys.command("metrics"), API_METRICS_FIELDS)
    .description("Keys by status, verifications by outcome, rotations, keys expiring soon")
    .addOption(sinceOption("the window of verifications and rotations", "30d"))
    .addOption(durationOption("--expiring-within <duration>", "what counts as expiring soon", "7d"))
    .addHelpText(
      "after",
      examples([
        ["Key metrics over the last 30 days", "intg keys metrics"],
        [
          "Over the last week, counting keys expiring within 30 days, as JSON",
          "intg keys metrics --since 7d --expiring-within 30d --json",
        ],
      ]),
    )
    .action(async (flags: { since: string; expiringWithin: string }, cmd: Command) => {
      const ctx = context(cmd);
      const input = {
        sinceMs: ctx.now().getTime() - parseWhenFlag("--since", flags.since, ctx.now()).getTime(),
        expiringWithinMs: parseDurationFlag("--expiring-within", flags.expiringWithin),
      };
      const m = await keyMetrics(await ctx.services(), input);
      if (ctx.out.json) return ctx.out.printJson(m);
      await ctx.out.table(
        ["METRIC", "VALUE"],
        [
          ...Object.entries(m.keysByStatus).map(([s, n]) => [`keys ${s.toLowerCase()}`, n]),
          ...Object.entries(m.verificationsByOutcome).map(([o, n]) => [`verifications ${o.toLowerCase()}`, n]),
          ["rotations", m.rotations],
          [`expiring before ${m.expiringSoon.before}`, m.expiringSoon.count],
        ],
      );
    });
}
