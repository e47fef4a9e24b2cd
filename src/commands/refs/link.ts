import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { REFERENCE_FIELDS } from "../../types/integration/external-reference.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { collect, parseKeyValues } from "../../cli/parse.js";
import { linkReference } from "../../services/refs/link.js";
import { parseTyped } from "./flags.js";
import { printRef } from "./render.js";
import { examples } from "../examples.js";

interface LinkFlags {
  entity: string;
  connection: string;
  external: string;
  meta?: string[];
}

export function registerLink(refs: Command, context: ContextFactory): void {
  jsonFields(refs.command("link"), REFERENCE_FIELDS)
    .description("Tie one of the platform's records to a record in a provider, through a connection")
    .requiredOption("--entity <type:id>", "the platform's record, e.g. user:42")
    .requiredOption("--connection <id>", "the connection (id, or its name when unique)")
    .requiredOption("--external <type:id>", "the provider's record, e.g. contact:901")
    .option("--meta <key=value>", "metadata kept with the reference (repeatable; merged when linked again)", collect)
    .addHelpText(
      "after",
      "\nEach side is unique per connection: linking a record already linked elsewhere exits 6 and names the reference that holds it.",
    )
    .addHelpText(
      "after",
      examples([
        [
          "Tie user 42 to contact 901 in a connection",
          "intg refs link --entity user:42 --connection conn_01JD8T6B9C --external contact:901",
        ],
        [
          "By the connection's name, with metadata",
          "intg refs link --entity user:42 --connection hubspot-main --external contact:901 --meta source=signup",
        ],
      ]),
    )
    .action(async (flags: LinkFlags, cmd: Command) => {
      const ctx = context(cmd);
      const entity = parseTyped("--entity", flags.entity);
      const external = parseTyped("--external", flags.external);
      const metadata = flags.meta ? parseKeyValues("--meta", flags.meta) : null;
      const result = await linkReference(await ctx.services(), {
        connection: flags.connection,
        entityType: entity.type,
        entityId: entity.id,
        externalType: external.type,
        externalId: external.id,
        metadata,
      });
      await printRef(ctx, result.reference);
      const r = result.reference;
      const verb = { created: "Linked", updated: "Updated", unchanged: "Already linked:" }[result.action];
      ctx.out.success(`${verb} ${r.entityType}:${r.entityId} ↔ ${r.externalType}:${r.externalId} (${r.id}).`);
    });
}
