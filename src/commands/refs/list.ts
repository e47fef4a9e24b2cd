import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { REFERENCE_FIELDS } from "../../types/integration/external-reference.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { listReferences } from "../../services/refs/list.js";
import { addRefFilterFlags, type FilterFlags, toRefFilter } from "./filter-flags.js";
import { parseLimit } from "./flags.js";
import { printRefs } from "./render.js";
import { examples } from "../examples.js";

export function registerList(refs: Command, context: ContextFactory): void {
  addRefFilterFlags(
    jsonFields(refs.command("list"), REFERENCE_FIELDS).alias("ls").description("List references, oldest first"),
  )
    .option("--limit <n>", "at most this many (default 100); for all of them use: intg refs export", "100")
    .addHelpText(
      "after",
      examples([
        ["The first 100 references", "intg refs list"],
        [
          "One connection's user references changed in the last week",
          "intg refs list --connection conn_01JD8T6B9C --entity-type user --since 7d",
        ],
        ["Up to 1000 of them, as JSON", "intg refs list --limit 1000 --json"],
      ]),
    )
    .action(async (flags: FilterFlags & { limit: string }, cmd: Command) => {
      const ctx = context(cmd);
      const limit = parseLimit(flags.limit);
      const { references, more } = await listReferences(await ctx.services(), await toRefFilter(ctx, flags), limit);
      await printRefs(ctx, references);
      if (more) ctx.out.warn(`showing the first ${limit}; raise --limit, or stream them all with: intg refs export`);
    });
}
