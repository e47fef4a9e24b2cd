import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { showKey } from "../../services/keys/show.js";
import { printKey } from "./render.js";

export function registerShow(keys: Command, context: ContextFactory): void {
  keys
    .command("show <id>")
    .description("Show one key: status, scopes, expiry, last use")
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printKey(ctx, await showKey(await ctx.services(), { id }));
    });
}
