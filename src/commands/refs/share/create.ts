import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { SHARE_LINK_CREATED_FIELDS } from "../../../types/integration/external-reference.fields.js";
import { UsageError } from "../../../errors.js";
import { durationOption } from "../../../cli/flags.js";
import { parseDurationFlag } from "../../../cli/parse.js";
import type { ContextFactory } from "../../../cli/program.js";
import { createShareLink } from "../../../services/refs/share.js";
import { printShareLinks } from "./render.js";
import { examples } from "../../examples.js";

const MAX_EXPIRY_MS = 365 * 86_400_000;

export function registerCreate(share: Command, context: ContextFactory): void {
  jsonFields(share.command("create <ref>"), SHARE_LINK_CREATED_FIELDS)
    .description("Make a token that resolves to one reference; printed once, stored hashed")
    .addOption(durationOption("--expires-in <duration>", "how long it works (at most 365d)", "7d"))
    .option("--max-uses <n>", "how many times it can be resolved (default: until it expires)")
    .addHelpText(
      "after",
      examples([
        [
          "A share link for a reference, working for 7 days; the token is printed once",
          "intg refs share create ref_01JD8W3H7N",
        ],
        [
          "A single-use link that works for one day",
          "intg refs share create ref_01JD8W3H7N --expires-in 24h --max-uses 1",
        ],
      ]),
    )
    .action(async (ref: string, flags: { expiresIn: string; maxUses?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const expiresInMs = parseDurationFlag("--expires-in", flags.expiresIn);
      if (expiresInMs <= 0 || expiresInMs > MAX_EXPIRY_MS)
        throw new UsageError(`--expires-in: ${flags.expiresIn} is not between 1s and 365d.`);
      const maxUses = flags.maxUses === undefined ? null : Number(flags.maxUses);
      if (maxUses !== null && (!Number.isInteger(maxUses) || maxUses < 1))
        throw new UsageError(`--max-uses: "${flags.maxUses}" is not a whole number of at least 1.`);
      const created = await createShareLink(await ctx.services(), { referenceId: ref, expiresInMs, maxUses });
      // The token alone on stdout, so `intg refs share create ref_… > token` captures just it.
      ctx.printShownOnce(
        created,
        created.token,
        `The share link ${created.id} was created, but stdout closed before its token was written: revoke it (intg refs share revoke ${created.id}) and create another.`,
      );
      if (ctx.out.json) return;
      await printShareLinks(ctx, [created], true);
      ctx.out.info("Store the token now: it is not shown again. Resolve it with: intg refs share resolve < token");
    });
}
