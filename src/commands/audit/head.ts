import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { AUDIT_HEAD_FIELDS } from "../../types/integration/api.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { CheckFailedError } from "../../errors.js";
import { verifyAuditChain } from "../../services/audit/verify.js";
import type { ApiAuditHead } from "../../types/integration/api.types.js";
import { examples } from "../examples.js";

export function registerHead(audit: Command, context: ContextFactory): void {
  jsonFields(audit.command("head"), AUDIT_HEAD_FIELDS)
    .description("Print the newest event as <seq>:<hash>, after verifying the chain, for --expect-head")
    .addHelpText(
      "after",
      "\nStore it where the database's writers cannot reach (CI secrets, another system), then:\n  intg audit verify --expect-head <seq>:<hash>",
    )
    .addHelpText(
      "after",
      examples([
        ["Print the newest event as <seq>:<hash>", "intg audit head"],
        ["Store it where the database's writers cannot reach", "intg audit head > last-audit-head"],
      ]),
    )
    .action(async (_flags, cmd: Command) => {
      const ctx = context(cmd);
      const report = await verifyAuditChain(await ctx.services());
      if (!report.ok)
        throw new CheckFailedError(
          `The audit log is broken at event #${report.firstBad!.seq}: ${report.firstBad!.reason}; it has no head to vouch for.`,
          "AUDIT_CHAIN_BROKEN",
        );
      const [seq, ...rest] = (report.head ?? "0:").split(":");
      const view: ApiAuditHead = {
        seq: Number(seq),
        hash: rest.join(":") || null,
        head: report.head,
        keyed: report.keyed,
      };
      if (ctx.out.json) return ctx.out.printJson(view);
      if (!report.head) return ctx.out.info("The audit log is empty.");
      ctx.out.print(report.head);
    });
}
