import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { deprecateEventType } from "../../../services/webhooks/event-types.js";

/** What `event-types deprecate` and `undeprecate` share: one service call, either way. */
export function deprecationAction(context: ContextFactory, deprecated: boolean) {
  return async (name: string, _flags: unknown, cmd: Command): Promise<void> => {
    const ctx = context(cmd);
    const info = await deprecateEventType(await ctx.services(), name, deprecated);
    if (ctx.out.json) return ctx.out.printJson(info);
    ctx.out.success(`${name} is ${deprecated ? "deprecated" : "no longer deprecated"}.`);
  };
}
