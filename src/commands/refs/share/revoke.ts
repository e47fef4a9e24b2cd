import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { SHARE_LINK_FIELDS } from "../../../types/integration/external-reference.fields.js";
import { confirmOrCancel } from "../../../cli/confirm.js";
import type { ContextFactory } from "../../../cli/program.js";
import { revokeShareLink } from "../../../services/refs/share.js";
import { printShareLinks } from "./render.js";
import { examples } from "../../examples.js";

export function registerRevoke(share: Command, context: ContextFactory): void {
  jsonFields(share.command("revoke <id>"), SHARE_LINK_FIELDS)
    .description("Stop a share link from working, at once")
    .option("-n, --dry-run", "show the link, change nothing", false)
    .addHelpText(
      "after",
      examples([
        ["Stop a share link from working", "intg refs share revoke shl_01JD8X5K2D"],
        ["Show the link first, change nothing", "intg refs share revoke shl_01JD8X5K2D --dry-run"],
      ]),
    )
    .action(async (id: string, flags: { dryRun: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const services = await ctx.services();
      const link = await revokeShareLink(services, { id, dryRun: true }); // not found before asking
      if (flags.dryRun) return printShareLinks(ctx, [link]);
      await confirmOrCancel(ctx, `Revoke share link ${link.id} of ${link.referenceId}?`, "nothing was revoked");
      const revoked = await revokeShareLink(services, { id, dryRun: false });
      if (ctx.out.json) return ctx.out.printJson(revoked);
      ctx.out.success(`Revoked ${revoked.id}.`);
    });
}
