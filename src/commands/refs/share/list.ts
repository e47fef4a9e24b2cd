import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { SHARE_LINK_FIELDS } from "../../../types/integration/external-reference.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { listShareLinks } from "../../../services/refs/share.js";
import { printShareLinks } from "./render.js";
import { examples } from "../../examples.js";

export function registerList(share: Command, context: ContextFactory): void {
  jsonFields(share.command("list [ref]"), SHARE_LINK_FIELDS)
    .alias("ls")
    .description("List share links (never their tokens), of one reference or all")
    .addHelpText(
      "after",
      examples([
        ["List every share link (never its token)", "intg refs share list"],
        ["The links of one reference, as JSON", "intg refs share list ref_01JD8W3H7N --json"],
      ]),
    )
    .action(async (ref: string | undefined, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printShareLinks(ctx, await listShareLinks(await ctx.services(), { referenceId: ref ?? null }));
    });
}
