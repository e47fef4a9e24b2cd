import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { AUDIT_CHAIN_FIELDS } from "../../types/integration/api.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { CheckFailedError } from "../../errors.js";
import { parseHead, verifyAuditChain } from "../../services/audit/verify.js";
import { examples } from "../examples.js";

const HELP = `
Each event is linked to the one before it under a key derived from the master key, so nobody
without the master key can edit, insert or recompute events unseen. The newest event's link is
also kept outside the database (audit.head beside the embedded database, or INTG_AUDIT_HEAD_FILE),
so emptying the log or deleting its newest events shows too. For a shared database, store what
\`intg audit head\` prints somewhere the database's writers cannot reach, and check against it:

  intg audit verify --expect-head "$(cat last-audit-head)"

Exit 0 when whole, 3 naming the first event that was edited, deleted, inserted or rewritten, or
the head the log no longer reaches; 4 when the log is keyed and no master key is at hand.`;

export function registerVerify(audit: Command, context: ContextFactory): void {
  jsonFields(audit.command("verify"), AUDIT_CHAIN_FIELDS)
    .description(
      "Recompute the keyed chain and check it reaches its head; exits 3 naming the first event that was tampered with",
    )
    .option(
      "--expect-head <seq:hash>",
      "the head `intg audit head` printed earlier: the log must still hold that event",
    )
    .addHelpText("after", HELP)
    .addHelpText(
      "after",
      examples([
        ["Check the chain (exit 3 naming the first tampered event)", "intg audit verify"],
        [
          "Check that the log still reaches a head stored elsewhere",
          'intg audit verify --expect-head "$(cat last-audit-head)"',
        ],
      ]),
    )
    .action(async (flags: { expectHead?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const expectHead = flags.expectHead === undefined ? undefined : parseHead(flags.expectHead);
      const report = await verifyAuditChain(await ctx.services(), { expectHead });
      if (ctx.out.json) ctx.out.printJson(report);
      if (!report.ok) {
        const at = report.firstBad!;
        throw new CheckFailedError(
          `The audit log is broken at event #${at.seq}${at.id ? ` (${at.id})` : ""}: ${at.reason}. ${report.checked} event(s) before it are intact.`,
          "AUDIT_CHAIN_BROKEN",
        );
      }
      if (!report.keyed && report.checked > 0)
        ctx.out.warn(
          "The audit log is not keyed yet (no master key has written to it): it shows accidental edits, not a database writer's.",
        );
      if (report.unsealedTail > 0)
        ctx.out.warn(
          `The newest ${report.unsealedTail} event(s) were written without the master key; the next keyed event covers them.`,
        );
      if (!ctx.out.json)
        ctx.out.success(
          `The audit log is intact (${report.checked} events${report.anchors.length ? `, reaching its recorded head` : ""}).`,
        );
    });
}
