import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { SYNC_JOB_FIELDS } from "../../types/integration/integration.fields.js";
import { UsageError } from "../../errors.js";
import { durationOption } from "../../cli/flags.js";
import { parseDurationFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { JOB_HEAD, jobRow } from "./render.js";
import { examples } from "../examples.js";

export function registerSync(connections: Command, context: ContextFactory): void {
  jsonFields(connections.command("sync <connection>"), SYNC_JOB_FIELDS)
    .description("Pull a resource's records page by page, map them and upsert external references (resumable)")
    .requiredOption("--resource <name>", "a resource the provider declares (resources in its definition)")
    .option("--full", "a full sync: references whose records are gone are marked remote-deleted")
    .addOption(durationOption("--timeout <duration>", "how long the provider has to answer each page", "30s"))
    .addHelpText(
      "after",
      [
        "",
        "Resources are declared in the provider's definition (intg providers import), e.g.",
        '  resources: { "contacts": { "path": "/contacts", "externalType": "contact", "pagination": "page",',
        '               "itemsPath": "data", "idField": "id", "entityIdField": "id" } }',
        "pagination is page, cursor or link (default: the provider's). Records go through the provider's",
        "mapping for that external type; the mapped record's entityIdField is the entity's id.",
        "",
        "Each page is committed with the job's checkpoint. A failed or interrupted run leaves its job",
        "failed/interrupted; running the same command again resumes it from that checkpoint.",
      ].join("\n"),
    )
    .addHelpText(
      "after",
      examples([
        [
          "Pull a resource's records into external references (run again to resume)",
          "intg connections sync conn_01JD8T6B9C --resource contacts",
        ],
        [
          "A full sync: references whose records are gone are marked remote-deleted",
          "intg connections sync conn_01JD8T6B9C --resource contacts --full",
        ],
      ]),
    )
    .action(async (connection: string, flags: { resource: string; full?: boolean; timeout: string }, cmd: Command) => {
      const ctx = context(cmd);
      if (!/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(flags.resource))
        throw new UsageError(`--resource: "${flags.resource}" is not a resource name.`);
      const timeoutMs = parseDurationFlag("--timeout", flags.timeout);
      const { runSync } = await import("../../services/sync/run.js");
      const { job, resumed } = await runSync(await ctx.services(), {
        connection,
        resource: flags.resource,
        full: flags.full === true,
        timeoutMs,
        signal: ctx.deps.signal,
        onPage: (j, n) => ctx.out.info(`${j.id}: ${n} records (checkpoint ${JSON.stringify(j.checkpoint)})`),
      });
      if (resumed) ctx.out.info(`Resumed ${job.id} from its checkpoint.`);
      if (ctx.out.json) return ctx.out.printJson(job);
      await ctx.out.table(JOB_HEAD, [jobRow(job)]);
      for (const e of job.errors) ctx.out.warn(`${e.externalId ?? "?"}: ${e.message}`);
    });
}
