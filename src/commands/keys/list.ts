import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { API_KEY_FIELDS } from "../../types/integration/api.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { listKeysJson } from "../../services/keys/list-json.js";
import { addFilterFlags, toFilter, type FilterFlags } from "./filter-flags.js";
import { examples } from "../examples.js";

export function registerList(keys: Command, context: ContextFactory): void {
  const list = jsonFields(keys.command("list"), API_KEY_FIELDS)
    .alias("ls")
    .description("List API keys (never their secrets)");
  list.addHelpText(
    "after",
    examples([
      ["List every key", "intg keys list"],
      ["Active keys that nobody used for 90 days", "intg keys list --status active --unused-for 90d"],
      ["Keys expiring within a week, as JSON", "intg keys list --expiring-within 7d --json"],
    ]),
  );
  addFilterFlags(list).action(async (flags: FilterFlags, cmd: Command) => {
    const ctx = context(cmd);
    const filter = toFilter(flags, ctx.now()); // before the database: bad flags write nothing
    if (ctx.out.plainJson) return ctx.out.printJsonText(await listKeysJson(await ctx.services(), filter));
    // The table, fields and --jq take the views (and Kysely), which a plain JSON list does without.
    const [{ listKeys }, { printKeys }] = await Promise.all([
      import("../../services/keys/list.js"),
      import("./render.js"),
    ]);
    await printKeys(ctx, await listKeys(await ctx.services(), filter));
  });
}
