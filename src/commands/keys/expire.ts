import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { API_KEY_FIELDS } from "../../types/integration/api.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { expireKeys } from "../../services/keys/expire.js";
import { printKeys } from "./render.js";
import { examples } from "../examples.js";

export function registerExpire(keys: Command, context: ContextFactory): void {
  jsonFields(keys.command("expire"), API_KEY_FIELDS)
    .description("Mark keys past their expiry or rotation grace as EXPIRED (idempotent; for cron)")
    .addHelpText(
      "after",
      examples([
        ["Mark keys past their expiry or grace as expired", "intg keys expire"],
        ["From cron: print nothing but errors", "intg keys expire --quiet"],
      ]),
    )
    .action(async (_flags, cmd: Command) => {
      const ctx = context(cmd);
      const expired = await expireKeys(await ctx.services());
      await printKeys(ctx, expired, "No keys to expire.");
      if (!ctx.out.json && expired.length) ctx.out.info(`Expired ${expired.length} key(s).`);
    });
}
