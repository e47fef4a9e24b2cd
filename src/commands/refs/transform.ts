import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { REFERENCE_VALIDATION_FIELDS } from "../../types/integration/external-reference.fields.js";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { showMapping } from "../../services/refs/mapping-rows.js";
import { applyMapping } from "../../services/refs/transform.js";
import { readJson } from "./read-json.js";
import { printTransform } from "./render.js";
import { examples } from "../examples.js";

export function registerTransform(refs: Command, context: ContextFactory): void {
  jsonFields(refs.command("transform"), REFERENCE_VALIDATION_FIELDS)
    .description("Map one remote record (JSON on stdin) through a mapping: the mapped record, or every problem with it")
    .requiredOption("--mapping <mapping>", "the mapping (name or id)")
    .option("--file <json>", "read the record from a file instead of stdin")
    .addHelpText(
      "after",
      "\nExits 2 when the record is invalid, listing every problem (under --json: a ReferenceValidationResult on stdout).",
    )
    .addHelpText(
      "after",
      examples([
        [
          "Map a record read from stdin through a mapping",
          "intg refs transform --mapping hubspot-contacts < contact.json",
        ],
        [
          "Read it from a file; every problem as JSON",
          "intg refs transform --mapping hubspot-contacts --file contact.json --json",
        ],
      ]),
    )
    .action(async (flags: { mapping: string; file?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const record = await readJson(ctx, flags.file ?? "-", "The record");
      const mapping = await showMapping(await ctx.services(), { idOrName: flags.mapping });
      const result = await applyMapping(mapping, record);
      printTransform(ctx, result);
      if (!result.valid)
        throw new UsageError(
          `The record is invalid for mapping ${mapping.name}: ${result.issues.length} problem(s).`,
          undefined,
          "INVALID_RECORD",
        );
    });
}
