import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { collect } from "../../cli/parse.js";
import type { CommandContext } from "../../cli/context.js";
import { resolveConnectionIds } from "../../services/refs/connections.js";
import { listReferences, showReference, type RefFilter } from "../../services/refs/list.js";
import { parseLimit, parseSince, parseTypes } from "./flags.js";
import { printRef, printRefs } from "./render.js";

export interface FilterFlags {
  connection?: string[];
  entityType?: string[];
  externalType?: string[];
  since?: string;
}

/** The filters list and export share. */
export function addRefFilterFlags(command: Command): Command {
  return command
    .option("--connection <id>", "only this connection's references (repeatable)", collect)
    .option("--entity-type <type>", "only these entity types (repeatable or comma-separated)", collect)
    .option("--external-type <type>", "only these external types (repeatable or comma-separated)", collect)
    .option("--since <when>", "changed since a duration ago (7d) or a date (2026-01-31)");
}

/** Flags checked before the database is touched; connection names resolved after. */
export async function toRefFilter(ctx: CommandContext, flags: FilterFlags): Promise<RefFilter> {
  const entityTypes = parseTypes("--entity-type", flags.entityType ?? []);
  const externalTypes = parseTypes("--external-type", flags.externalType ?? []);
  const since = flags.since === undefined ? null : parseSince(flags.since, ctx.now());
  const connectionIds = await resolveConnectionIds(await ctx.services(), flags.connection ?? []);
  return { connectionIds, entityTypes, externalTypes, since };
}

export function registerList(refs: Command, context: ContextFactory): void {
  addRefFilterFlags(refs.command("list").alias("ls").description("List references, oldest first"))
    .option("--limit <n>", "at most this many (default 100); for all of them use: intg refs export", "100")
    .action(async (flags: FilterFlags & { limit: string }, cmd: Command) => {
      const ctx = context(cmd);
      const limit = parseLimit(flags.limit);
      const { references, more } = await listReferences(await ctx.services(), await toRefFilter(ctx, flags), limit);
      await printRefs(ctx, references);
      if (more) ctx.out.warn(`showing the first ${limit}; raise --limit, or stream them all with: intg refs export`);
    });
  refs
    .command("show <ref>")
    .description("Show one reference")
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printRef(ctx, await showReference(await ctx.services(), { id }));
    });
}
