import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { LOOKUP_FIELDS } from "../../types/integration/external-reference.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { UsageError } from "../../errors.js";
import { lookupReferences, type LookupInput } from "../../services/refs/lookup.js";
import { parseQualifiedExternal, parseTyped } from "./flags.js";
import { printLookup } from "./render.js";
import { examples } from "../examples.js";

interface LookupFlags {
  entity?: string;
  external?: string;
  connection?: string;
}

export function registerLookup(refs: Command, context: ContextFactory): void {
  jsonFields(refs.command("lookup"), LOOKUP_FIELDS)
    .description("Every reference of one record across providers, found by the entity or by one external record")
    .option("--entity <type:id>", "the platform's record, e.g. user:42")
    .option(
      "--external <connection:type:id>",
      "a provider's record, e.g. conn_…:contact:901 (or contact:901 with --connection)",
    )
    .option("--connection <id>", "the connection of --external")
    .addHelpText("after", "\nExits 5 when the record has no reference.")
    .addHelpText(
      "after",
      examples([
        ["Every provider record of one user", "intg refs lookup --entity user:42"],
        [
          "The platform's record behind a provider's contact",
          "intg refs lookup --external contact:901 --connection conn_01JD8T6B9C",
        ],
      ]),
    )
    .action(async (flags: LookupFlags, cmd: Command) => {
      const ctx = context(cmd);
      if (Boolean(flags.entity) === Boolean(flags.external))
        throw new UsageError("Give --entity <type>:<id> or --external <connection>:<type>:<id>, one of them.");
      let input: LookupInput;
      if (flags.entity) {
        if (flags.connection)
          throw new UsageError("--connection goes with --external; an entity is looked up across every connection.");
        const e = parseTyped("--entity", flags.entity);
        input = { kind: "entity", entityType: e.type, entityId: e.id };
      } else {
        const x = flags.connection
          ? { connection: flags.connection, ...parseTyped("--external", flags.external!) }
          : parseQualifiedExternal(flags.external!);
        input = { kind: "external", connection: x.connection, externalType: x.type, externalId: x.id };
      }
      await printLookup(ctx, await lookupReferences(await ctx.services(), input));
    });
}
