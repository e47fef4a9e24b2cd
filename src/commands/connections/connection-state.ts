import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { printConnection } from "./render.js";

// What `connections enable` and `connections disable` share: one flag, one service call.

export function addReasonFlag(command: Command): Command {
  return command.option("--reason <text>", "why, kept in the audit log");
}

export function setStateAction(context: ContextFactory, enabled: boolean) {
  return async (id: string, flags: { reason?: string }, cmd: Command): Promise<void> => {
    const ctx = context(cmd);
    const { setConnectionEnabled } = await import("../../services/connections/write.js");
    const connection = await setConnectionEnabled(await ctx.services(), id, enabled, flags.reason ?? null);
    await printConnection(ctx, connection);
    ctx.out.success(`${enabled ? "Enabled" : "Disabled"} ${id}.`);
  };
}
