import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { HISTORY_FIELDS } from "../../types/integration/external-reference.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { showHistory } from "../../services/refs/list.js";
import { printHistory } from "./render.js";
import { examples } from "../examples.js";

export function registerHistory(refs: Command, context: ContextFactory): void {
  jsonFields(refs.command("history <ref>"), HISTORY_FIELDS)
    .description("Every change of a reference: links, updates, unlinks, remote deletions; kept after unlink")
    .addHelpText(
      "after",
      examples([
        ["Every change of a reference, kept after unlink", "intg refs history ref_01JD8W3H7N"],
        ["As JSON", "intg refs history ref_01JD8W3H7N --json"],
      ]),
    )
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printHistory(ctx, await showHistory(await ctx.services(), { id }));
    });
}
