import type { Command } from "commander";
import { confirmOrCancel } from "../../cli/confirm.js";
import { parseDurationFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { deleteEndpoint } from "../../services/webhooks/delete-endpoint.js";
import { listEndpoints, showEndpoint } from "../../services/webhooks/endpoint-rows.js";
import { rotateEndpointSecret } from "../../services/webhooks/rotate-secret.js";
import { setEndpointEnabled } from "../../services/webhooks/update-endpoint.js";
import { printEndpoint, printEndpoints } from "./render.js";

export function registerManage(endpoints: Command, context: ContextFactory): void {
  endpoints
    .command("list")
    .alias("ls")
    .description("List endpoints (never their secrets)")
    .action(async (_flags, cmd: Command) => {
      const ctx = context(cmd);
      await printEndpoints(ctx, await listEndpoints(await ctx.services()));
    });
  endpoints
    .command("show <id>")
    .description("Show one endpoint's settings (never its secret)")
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printEndpoint(ctx, await showEndpoint(await ctx.services(), id));
    });
  for (const enabled of [false, true]) {
    endpoints
      .command(enabled ? "enable <id>" : "disable <id>")
      .description(
        enabled
          ? "Enable a disabled endpoint; new events reach it again"
          : "Stop delivering to an endpoint; its pending deliveries are cancelled (kept for replay)",
      )
      .option("--reason <text>", "why, kept with the endpoint and in the audit log")
      .action(async (id: string, flags: { reason?: string }, cmd: Command) => {
        const ctx = context(cmd);
        const result = await setEndpointEnabled(await ctx.services(), id, enabled, flags.reason ?? null);
        if (ctx.out.json) return ctx.out.printJson(result.endpoint);
        ctx.out.success(
          enabled
            ? `Enabled ${id}.`
            : `Disabled ${id}; ${result.cancelledDeliveries} pending deliver${result.cancelledDeliveries === 1 ? "y" : "ies"} cancelled.`,
        );
      });
  }
  endpoints
    .command("delete <id>")
    .description("Delete an endpoint and its delivery history")
    .option("-n, --dry-run", "show what would be deleted, change nothing", false)
    .action(async (id: string, flags: { dryRun: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const services = await ctx.services();
      const plan = await deleteEndpoint(services, id, { dryRun: true }); // not found before asking
      if (!flags.dryRun)
        await confirmOrCancel(
          ctx,
          `Delete ${id} (${plan.endpoint.url}) and its ${plan.deliveries} deliveries?`,
          "nothing was deleted",
        );
      const result = flags.dryRun ? plan : await deleteEndpoint(services, id);
      if (ctx.out.json) return ctx.out.printJson(result);
      if (result.dryRun)
        ctx.out.info(`Would delete ${id} (${result.endpoint.url}) and ${result.deliveries} deliveries.`);
      else ctx.out.success(`Deleted ${id} and ${result.deliveries} deliveries.`);
    });
  endpoints
    .command("rotate-secret <id>")
    .description("Issue a new signing secret, printed once; the old one keeps signing until its grace period ends")
    .option("--grace <duration>", "how long deliveries carry the old secret's signature too; 0 drops it now", "24h")
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
    .action(async (id: string, flags: { grace: string; force: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const graceMs = parseDurationFlag("--grace", flags.grace);
      const rotated = await rotateEndpointSecret(await ctx.services(), id, { graceMs, force: flags.force });
      if (ctx.out.json) return ctx.out.printJson(rotated);
      ctx.out.print(rotated.secret);
      ctx.out.success(`Rotated the signing secret of ${id}. Store it now: it cannot be shown again.`);
      const { previousSecretExpiresAt: previous, olderSecretExpiresAt: older } = rotated;
      const beforeIt = older ? `, and with the one before it until ${older}` : "";
      if (previous) ctx.out.info(`Deliveries are also signed with the previous secret until ${previous}${beforeIt}.`);
      else if (older) ctx.out.info(`Deliveries are also signed with an earlier secret until ${older}.`);
    });
}
