import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { durationOption } from "../../../cli/flags.js";
import { parseDurationFlag } from "../../../cli/parse.js";
import { rotateKey } from "../../../services/keys/rotate.js";

export function registerKey(rotate: Command, context: ContextFactory): void {
  rotate
    .command("key <id>", { isDefault: true, hidden: true })
    .description(
      "Issue a successor with the same scopes, metadata and owner; the old key stays valid for the grace period",
    )
    .addOption(
      durationOption(
        "--grace <duration>",
        "how long the old key stays valid (never beyond its own expiry); 0 ends it now",
        "24h",
      ),
    )
    .action(async (id: string, flags: { grace: string }, cmd: Command) => {
      const ctx = context(cmd);
      const graceMs = parseDurationFlag("--grace", flags.grace);
      const created = await rotateKey(await ctx.services(), { keyId: id, graceMs });
      if (ctx.out.json) return ctx.out.printJson(created, { shownOnce: true });
      ctx.out.print(created.key);
      ctx.out.success(`Rotated ${id} into ${created.id}. Store the new key now: it cannot be shown again.`);
      ctx.out.info(
        `The old key stays valid until the grace period ends. Check callers have switched with: intg keys rotate status ${id}`,
      );
    });
}
