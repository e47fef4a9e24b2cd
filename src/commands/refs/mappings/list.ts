import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { listMappingsOf } from "../../../services/refs/mapping-rows.js";
import { printMappings } from "./render.js";

export function registerList(mappings: Command, context: ContextFactory): void {
  mappings
    .command("list")
    .alias("ls")
    .description("List mappings")
    .option("--provider <id>", "only this provider's (id or slug)")
    .action(async (flags: { provider?: string }, cmd: Command) => {
      const ctx = context(cmd);
      await printMappings(ctx, await listMappingsOf(await ctx.services(), { provider: flags.provider ?? null }));
    });
}
