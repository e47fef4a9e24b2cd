import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { SYNC_JOB_FIELDS } from "../../types/integration/integration.fields.js";
import { durationOption } from "../../cli/flags.js";
import { parseDurationFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { parseLimit } from "./flags.js";
import { JOB_HEAD, jobRow } from "./render.js";
import { examples } from "../examples.js";

export function registerSyncs(connections: Command, context: ContextFactory): void {
  jsonFields(connections.command("syncs <connection>"), SYNC_JOB_FIELDS)
    .description(
      "A connection's sync jobs, newest first; a running job whose checkpoint has not moved is reported stalled",
    )
    .option("--resource <name>", "only this resource's jobs")
    .addOption(
      durationOption(
        "--stalled-after <duration>",
        "a running job whose checkpoint is older than this is stalled",
        "10m",
      ),
    )
    .option("--limit <n>", "at most this many", "50")
    .addHelpText(
      "after",
      examples([
        ["A connection's sync jobs", "intg connections syncs conn_01JD8T6B9C"],
        [
          "Its contacts jobs, stalled after 5 minutes without progress, as JSON",
          "intg connections syncs conn_01JD8T6B9C --resource contacts --stalled-after 5m --json",
        ],
      ]),
    )
    .action(
      async (connection: string, flags: { resource?: string; stalledAfter: string; limit: string }, cmd: Command) => {
        const ctx = context(cmd);
        const stalledAfterMs = parseDurationFlag("--stalled-after", flags.stalledAfter);
        const limit = parseLimit(flags.limit);
        const services = await ctx.services();
        const { listSyncJobs } = await import("../../services/sync/list.js");
        const jobs = await listSyncJobs(services, connection, { resource: flags.resource, limit, stalledAfterMs });
        if (ctx.out.json) return ctx.out.printJson(jobs);
        if (jobs.length === 0) return ctx.out.info("No sync jobs.");
        await ctx.out.table(JOB_HEAD, jobs.map(jobRow));
        const stalled = jobs.filter((j) => j.stalled).length;
        if (stalled)
          ctx.out.warn(`${stalled} running job(s) stalled: no checkpoint for more than ${flags.stalledAfter}.`);
      },
    );
}
