import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { CONNECTION_EVENT_FIELDS } from "../../types/integration/integration.fields.js";
import { sinceOption } from "../../cli/flags.js";
import type { ContextFactory } from "../../cli/program.js";
import { listEvents } from "../../services/connections/events.js";
import { parseLimit, parseSince } from "./flags.js";
import { examples } from "../examples.js";

export function registerEvents(connections: Command, context: ContextFactory): void {
  jsonFields(connections.command("events <id>"), CONNECTION_EVENT_FIELDS)
    .description(
      "What happened to a connection: status changes, credentials replaced, refreshed or refused, disabled, enabled",
    )
    .addOption(sinceOption("only events since"))
    .option("--limit <n>", "at most this many, newest first", "100")
    .addHelpText(
      "after",
      examples([
        ["What happened to a connection", "intg connections events conn_01JD8T6B9C"],
        ["Events since a date, at most 20", "intg connections events conn_01JD8T6B9C --since 2026-01-01 --limit 20"],
      ]),
    )
    .action(async (id: string, flags: { since?: string; limit: string }, cmd: Command) => {
      const ctx = context(cmd);
      const since = flags.since === undefined ? undefined : parseSince(ctx, flags.since);
      const events = await listEvents(await ctx.services(), id, { since, limit: parseLimit(flags.limit) });
      if (ctx.out.json) return ctx.out.printJson(events);
      if (events.length === 0) return ctx.out.info("No events.");
      await ctx.out.table(
        ["ID", "WHEN", "EVENT", "STATUS", "MESSAGE"],
        events.map((e) => [
          e.id,
          e.createdAt,
          e.kind,
          `${e.previousStatus ? `${e.previousStatus.toLowerCase()} -> ` : ""}${e.status.toLowerCase()}`,
          e.message ?? "",
        ]),
      );
    });
}
