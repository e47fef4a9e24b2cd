import type { Command } from "commander";
import { confirmOrCancel } from "../../cli/confirm.js";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { listShareLinks, resolveShareLink, revokeShareLink } from "../../services/refs/share.js";
import { printRef } from "./render.js";
import { printShareLinks } from "./render-share.js";

export function registerShareManage(share: Command, context: ContextFactory): void {
  share
    .command("list [ref]")
    .alias("ls")
    .description("List share links (never their tokens), of one reference or all")
    .action(async (ref: string | undefined, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printShareLinks(ctx, await listShareLinks(await ctx.services(), { referenceId: ref ?? null }));
    });
  share
    .command("revoke <id>")
    .description("Stop a share link from working, at once")
    .option("-n, --dry-run", "show the link, change nothing", false)
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
  share
    .command("resolve")
    .description("The reference a share token (read from stdin) points to; counts one use")
    .addHelpText(
      "after",
      "\nThe token is a secret: it is read from stdin, never from a flag. Exits 4 when it is unknown, expired, revoked or used up.",
    )
    .action(async (_flags, cmd: Command) => {
      const ctx = context(cmd);
      if (ctx.deps.io.stdinIsTTY)
        throw new UsageError(
          "The token is read from stdin, but stdin is a terminal.",
          "Pipe it in: intg refs share resolve < token",
        );
      let token = "";
      for await (const chunk of ctx.deps.io.stdin) {
        token += String(chunk);
        if (token.length > 1024) throw new UsageError("stdin holds more than a share token.");
      }
      if (token.trim() === "") throw new UsageError("No token on stdin.");
      const { link, reference } = await resolveShareLink(await ctx.services(), { token });
      await printRef(ctx, reference);
      ctx.out.info(
        `Share link ${link.id}: use ${link.accessCount}${link.maxUses === null ? "" : ` of ${link.maxUses}`}, expires ${link.expiresAt}.`,
      );
    });
}
