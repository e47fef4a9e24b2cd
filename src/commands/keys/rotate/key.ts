import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { durationOption } from "../../../cli/flags.js";
import { parseDurationFlag } from "../../../cli/parse.js";
import { rotateKey } from "../../../services/keys/rotate.js";

/** What `keys rotate <id>` does, on the rotate command itself (beside its `status` verb). */
export function addKeyRotation(rotate: Command, context: ContextFactory): void {
  rotate
    .argument(
      "<id>",
      "the key to rotate: a successor gets its scopes, metadata and owner; it stays valid for the grace period",
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
      ctx.printShownOnce(
        created,
        created.key,
        `${id} was rotated into ${created.id}, but stdout closed before the new key was written: revoke ${created.id} (intg keys revoke ${created.id}) within the grace period and rotate ${id} again.`,
      );
      if (ctx.out.json) return;
      ctx.out.success(`Rotated ${id} into ${created.id}. Store the new key now: it cannot be shown again.`);
      ctx.out.info(
        `The old key stays valid until the grace period ends. Check callers have switched with: intg keys rotate status ${id}`,
      );
    });
}
