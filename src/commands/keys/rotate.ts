import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { PendingError } from "../../errors.js";
import { parseDurationFlag } from "../../cli/parse.js";
import { rotateKey, rotationStatus } from "../../services/keys/rotate.js";

export function registerRotate(keys: Command, context: ContextFactory): void {
  const rotate = keys
    .command("rotate")
    .description("Rotate a key, or check a rotation's cut-over: rotate <id> | rotate status <id>");
  rotate
    .command("key <id>", { isDefault: true, hidden: true })
    .description(
      "Issue a successor with the same scopes, metadata and owner; the old key stays valid for the grace period",
    )
    .option(
      "--grace <duration>",
      "how long the old key stays valid (never beyond its own expiry); 0 ends it now",
      "24h",
    )
    .action(async (id: string, flags: { grace: string }, cmd: Command) => {
      const ctx = context(cmd);
      const graceMs = parseDurationFlag("--grace", flags.grace);
      const created = await rotateKey(await ctx.services(), { keyId: id, graceMs });
      if (ctx.out.json) return ctx.out.printJson(created);
      ctx.out.print(created.key);
      ctx.out.success(`Rotated ${id} into ${created.id}. Store the new key now: it cannot be shown again.`);
      ctx.out.info(
        `The old key stays valid until the grace period ends. Check callers have switched with: intg keys rotate status ${id}`,
      );
    });
  rotate
    .command("status <id>")
    .description("Whether the old key was used after its successor was issued; exits 8 while it still is")
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      const status = await rotationStatus(await ctx.services(), { id });
      if (ctx.out.json) ctx.out.printJson(status);
      else {
        await ctx.out.details([
          ["old key", status.oldKeyId],
          ["new key", status.newKeyId],
          ["rotated at", status.rotatedAt],
          ["grace ends", status.graceEndsAt ?? ""],
          ["old key valid", status.oldKeyValid ? "yes" : "no"],
          ["old key last used", status.oldKeyLastUsedAt ?? "never"],
          ["old key used since rotation", status.oldKeyUsedSinceRotation ? "yes" : "no"],
          ["new key last used", status.newKeyLastUsedAt ?? "never"],
        ]);
      }
      if (status.oldKeyValid && status.oldKeyUsedSinceRotation) {
        throw new PendingError(
          `The old key ${status.oldKeyId} is still in use (last at ${status.oldKeyLastUsedAt}).`,
          "Switch the remaining callers to the new key.",
          "ROTATION_IN_PROGRESS",
        );
      }
    });
}
