import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { showMapping } from "../../../services/refs/mapping-rows.js";
import { printMapping } from "./render.js";

export function registerShow(mappings: Command, context: ContextFactory): void {
  mappings
    .command("show <mapping>")
    .description("Show a mapping (by name or id)")
    .action(async (idOrName: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printMapping(ctx, await showMapping(await ctx.services(), { idOrName }));
    });
}
