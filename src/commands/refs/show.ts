import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { showReference } from "../../services/refs/list.js";
import { printRef } from "./render.js";

export function registerShow(refs: Command, context: ContextFactory): void {
  refs
    .command("show <ref>")
    .description("Show one reference")
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printRef(ctx, await showReference(await ctx.services(), { id }));
    });
}
