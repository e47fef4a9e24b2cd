import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { REFERENCE_METRICS_FIELDS } from "../../types/integration/external-reference.fields.js";
import { parseIntFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { referenceMetrics } from "../../services/refs/metrics.js";
import { examples } from "../examples.js";

export function registerMetrics(refs: Command, context: ContextFactory): void {
  jsonFields(refs.command("metrics"), REFERENCE_METRICS_FIELDS)
    .description(
      "References per connection and entity type, orphans (no mapping covers them), remote deletions, daily growth",
    )
    .option("--days <n>", "days of growth to show", "30")
    .addHelpText(
      "after",
      examples([
        ["Reference metrics, with 30 days of growth", "intg refs metrics"],
        ["A week of growth, as JSON", "intg refs metrics --days 7 --json"],
      ]),
    )
    .action(async (flags: { days: string }, cmd: Command) => {
      const ctx = context(cmd);
      const days = parseIntFlag("--days", flags.days, 1, 3650);
      const m = await referenceMetrics(await ctx.services(), { days });
      if (ctx.out.json) return ctx.out.printJson(m);
      await ctx.out.table(
        ["CONNECTION", "ENTITY TYPE", "REFERENCES"],
        m.counts.map((c) => [`${c.connectionName} (${c.connectionId})`, c.entityType, c.count]),
      );
      await ctx.out.details([
        ["total", m.total],
        ["orphans", m.orphans],
        ["remote deleted", m.remoteDeleted],
        ...m.growth.map((g): [string, number] => [`created ${g.day}`, g.created]),
      ]);
    });
}
