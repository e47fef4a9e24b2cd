import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { MAPPING_FIELDS } from "../../../types/integration/external-reference.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { showMapping } from "../../../services/refs/mapping-rows.js";
import { printMapping } from "./render.js";
import { examples } from "../../examples.js";

export function registerShow(mappings: Command, context: ContextFactory): void {
  jsonFields(mappings.command("show <mapping>"), MAPPING_FIELDS)
    .description("Show a mapping (by name or id)")
    .addHelpText(
      "after",
      examples([
        ["Show a mapping by name", "intg refs mappings show hubspot-contacts"],
        [
          "As JSON, e.g. to edit it and set it again with --file",
          "intg refs mappings show hubspot-contacts --json > mapping.json",
        ],
      ]),
    )
    .action(async (idOrName: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printMapping(ctx, await showMapping(await ctx.services(), { idOrName }));
    });
}
