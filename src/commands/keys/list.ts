import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { listKeys } from "../../services/keys/list.js";
import { addFilterFlags, toFilter, type FilterFlags } from "./filter-flags.js";
import { printKeys } from "./render.js";

export function registerList(keys: Command, context: ContextFactory): void {
  addFilterFlags(keys.command("list").alias("ls").description("List API keys (never their secrets)")).action(
    async (flags: FilterFlags, cmd: Command) => {
      const ctx = context(cmd);
      const filter = toFilter(flags, ctx.now()); // before the database: bad flags write nothing
      await printKeys(ctx, await listKeys(await ctx.services(), filter));
    },
  );
}
