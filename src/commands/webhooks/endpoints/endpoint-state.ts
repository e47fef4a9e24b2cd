import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { setEndpointEnabled } from "../../../services/webhooks/update-endpoint.js";

// What `endpoints enable` and `endpoints disable` share: one flag, one service call.

export function addReasonFlag(command: Command): Command {
  return command.option("--reason <text>", "why, kept with the endpoint and in the audit log");
}

export function setStateAction(context: ContextFactory, enabled: boolean) {
  return async (id: string, flags: { reason?: string }, cmd: Command): Promise<void> => {
    const ctx = context(cmd);
    const result = await setEndpointEnabled(await ctx.services(), id, enabled, flags.reason ?? null);
    if (ctx.out.json) return ctx.out.printJson(result.endpoint);
    ctx.out.success(
      enabled
        ? `Enabled ${id}.`
        : `Disabled ${id}; ${result.cancelledDeliveries} pending deliver${result.cancelledDeliveries === 1 ? "y" : "ies"} cancelled.`,
    );
  };
}
