import type { Command } from "commander";
import type { CommandContext } from "../../cli/context.js";
import { sinceOption } from "../../cli/flags.js";
import { collect } from "../../cli/parse.js";
import { resolveConnectionIds } from "../../services/refs/connections.js";
import type { RefFilter } from "../../services/refs/list.js";
import { parseSince, parseTypes } from "./flags.js";

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
    .addOption(sinceOption("changed since"));
}

/** Flags checked before the database is touched; connection names resolved after. */
export async function toRefFilter(ctx: CommandContext, flags: FilterFlags): Promise<RefFilter> {
  const entityTypes = parseTypes("--entity-type", flags.entityType ?? []);
  const externalTypes = parseTypes("--external-type", flags.externalType ?? []);
  const since = flags.since === undefined ? null : parseSince(flags.since, ctx.now());
  const connectionIds = await resolveConnectionIds(await ctx.services(), flags.connection ?? []);
  return { connectionIds, entityTypes, externalTypes, since };
}
