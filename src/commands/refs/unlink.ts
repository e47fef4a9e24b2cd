import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { REFERENCE_FIELDS } from "../../types/integration/external-reference.fields.js";
import { confirmOrCancel } from "../../cli/confirm.js";
import type { ContextFactory } from "../../cli/program.js";
import { UsageError } from "../../errors.js";
import { referenceIdOfExternal, unlinkReference } from "../../services/refs/unlink.js";
import { parseTyped } from "./flags.js";
import { printRef } from "./render.js";
import { examples } from "../examples.js";

interface UnlinkFlags {
  connection?: string;
  external?: string;
  dryRun: boolean;
}

export function registerUnlink(refs: Command, context: ContextFactory): void {
  jsonFields(refs.command("unlink [ref]"), REFERENCE_FIELDS)
    .description("Remove a reference (its history is kept)")
    .option("--connection <id>", "with --external: the reference of that external record")
    .option("--external <type:id>", "the provider's record, e.g. contact:901")
    .option("-n, --dry-run", "show the reference that would be removed, change nothing", false)
    .addHelpText(
      "after",
      examples([
        ["Remove a reference by id", "intg refs unlink ref_01JD8W3H7N"],
        [
          "By its external record, showing what would go first",
          "intg refs unlink --connection conn_01JD8T6B9C --external contact:901 --dry-run",
        ],
      ]),
    )
    .action(async (ref: string | undefined, flags: UnlinkFlags, cmd: Command) => {
      const ctx = context(cmd);
      const byExternal = flags.connection !== undefined || flags.external !== undefined;
      if (ref && byExternal) throw new UsageError("Give a reference id, or --connection with --external; not both.");
      if (!ref && !(flags.connection && flags.external))
        throw new UsageError("Which reference? Give its id (ref_…), or --connection <c> --external <type>:<id>.");
      const external = flags.external ? parseTyped("--external", flags.external) : undefined;
      const services = await ctx.services();
      let id = ref;
      if (id === undefined) {
        const record = { connection: flags.connection!, externalType: external!.type, externalId: external!.id };
        id = await referenceIdOfExternal(services, record);
      }
      const planned = await unlinkReference(services, { id, dryRun: true }); // not found before asking
      if (flags.dryRun) return printRef(ctx, planned);
      await confirmOrCancel(
        ctx,
        `Unlink ${planned.entityType}:${planned.entityId} ↔ ${planned.externalType}:${planned.externalId} (${planned.id})?`,
        "nothing was unlinked",
      );
      const removed = await unlinkReference(services, { id, dryRun: false });
      if (ctx.out.json) return ctx.out.printJson(removed);
      ctx.out.success(`Unlinked ${removed.id}; its history stays: intg refs history ${removed.id}`);
    });
}
