import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { API_KEY_ROTATION_STATUS_FIELDS } from "../../../types/integration/api.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { PendingError } from "../../../errors.js";
import { rotationStatus } from "../../../services/keys/rotate.js";
import { examples } from "../../examples.js";

export function registerStatus(rotate: Command, context: ContextFactory): void {
  jsonFields(rotate.command("status <id>"), API_KEY_ROTATION_STATUS_FIELDS)
    .description("Whether the old key was used after its successor was issued; exits 8 while it still is")
    .addHelpText(
      "after",
      examples([
        [
          "Has every caller switched to the new key? Exit 8 while the old one is still used",
          "intg keys rotate status key_01JD8Q3ZK7",
        ],
        ["The same as JSON, e.g. to poll from a deploy script", "intg keys rotate status key_01JD8Q3ZK7 --json"],
      ]),
    )
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
