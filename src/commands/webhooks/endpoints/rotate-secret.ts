import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { ENDPOINT_CREATED_FIELDS } from "../../../types/integration/webhook.fields.js";
import { durationOption } from "../../../cli/flags.js";
import { parseDurationFlag } from "../../../cli/parse.js";
import type { ContextFactory } from "../../../cli/program.js";
import { rotateEndpointSecret } from "../../../services/webhooks/rotate-secret.js";
import { examples } from "../../examples.js";

export function registerRotateSecret(endpoints: Command, context: ContextFactory): void {
  jsonFields(endpoints.command("rotate-secret <id>"), ENDPOINT_CREATED_FIELDS)
    .description("Issue a new signing secret, printed once; the old one keeps signing until its grace period ends")
    .addOption(
      durationOption(
        "--grace <duration>",
        "how long deliveries carry the old secret's signature too; 0 drops it now",
        "24h",
      ),
    )
    .option("--force", "rotate even when two earlier secrets still sign, dropping the oldest of them now", false)
    .addHelpText(
      "after",
      [
        "",
        "Each rotated-out secret keeps signing until the end its own rotation promised: a later rotation",
        "with a shorter --grace does not cut it short, nor does a longer one extend it. Deliveries carry one",
        "signature per live secret, three at most (the current one and two rotated out). A rotation that",
        "would need a fourth is refused (exit 6) and changes nothing; --grace 0 needs no room, and --force",
        "drops the oldest rotated-out secret before its promised end (recorded in the audit log).",
      ].join("\n"),
    )
    .addHelpText(
      "after",
      examples([
        [
          "Issue a new signing secret; the old one keeps signing for 24 hours",
          "intg webhooks endpoints rotate-secret ep_01JD8R2N5T",
        ],
        ["A leaked secret: stop signing with it now", "intg webhooks endpoints rotate-secret ep_01JD8R2N5T --grace 0"],
        [
          "Give receivers a week to switch, as JSON (the secret is in `secret`)",
          "intg webhooks endpoints rotate-secret ep_01JD8R2N5T --grace 7d --json",
        ],
      ]),
    )
    .action(async (id: string, flags: { grace: string; force: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const graceMs = parseDurationFlag("--grace", flags.grace);
      const rotated = await rotateEndpointSecret(await ctx.services(), id, { graceMs, force: flags.force });
      ctx.printShownOnce(
        rotated,
        rotated.secret,
        `The signing secret of ${id} was rotated, but stdout closed before it was written: rotate it again.`,
      );
      if (ctx.out.json) return;
      ctx.out.success(`Rotated the signing secret of ${id}. Store it now: it cannot be shown again.`);
      const { previousSecretExpiresAt: previous, olderSecretExpiresAt: older } = rotated;
      const beforeIt = older ? `, and with the one before it until ${older}` : "";
      if (previous) ctx.out.info(`Deliveries are also signed with the previous secret until ${previous}${beforeIt}.`);
      else if (older) ctx.out.info(`Deliveries are also signed with an earlier secret until ${older}.`);
    });
}
