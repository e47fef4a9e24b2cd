import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { REFERENCE_FIELDS } from "../../types/integration/external-reference.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { showReference } from "../../services/refs/list.js";
import { printRef } from "./render.js";
import { examples } from "../examples.js";

export function registerShow(refs: Command, context: ContextFactory): void {
  jsonFields(refs.command("show <ref>"), REFERENCE_FIELDS)
    .description("Show one reference")
    .addHelpText(
      "after",
      examples([
        ["Show one reference", "intg refs show ref_01JD8W3H7N"],
        ["The same as JSON", "intg refs show ref_01JD8W3H7N --json"],
      ]),
    )
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printRef(ctx, await showReference(await ctx.services(), { id }));
    });
}
