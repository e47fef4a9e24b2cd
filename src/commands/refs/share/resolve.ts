import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { REFERENCE_FIELDS } from "../../../types/integration/external-reference.fields.js";
import { UsageError } from "../../../errors.js";
import type { ContextFactory } from "../../../cli/program.js";
import { resolveShareLink } from "../../../services/refs/share.js";
import { printRef } from "../render.js";
import { examples } from "../../examples.js";

export function registerResolve(share: Command, context: ContextFactory): void {
  jsonFields(share.command("resolve"), REFERENCE_FIELDS)
    .description("The reference a share token (read from stdin) points to; counts one use")
    .addHelpText(
      "after",
      "\nThe token is a secret: it is read from stdin, never from a flag. Exits 4 when it is unknown, expired, revoked or used up.",
    )
    .addHelpText(
      "after",
      examples([
        ["Find the reference behind a token read from stdin (counts one use)", "intg refs share resolve < token.txt"],
        ["As JSON", "intg refs share resolve --json < token.txt"],
      ]),
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
