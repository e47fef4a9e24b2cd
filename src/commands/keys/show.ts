import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { API_KEY_FIELDS } from "../../types/integration/api.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { showKey } from "../../services/keys/show.js";
import { printKey } from "./render.js";
import { examples } from "../examples.js";

export function registerShow(keys: Command, context: ContextFactory): void {
  jsonFields(keys.command("show <id>"), API_KEY_FIELDS)
    .description("Show one key: status, scopes, expiry, last use")
    .addHelpText(
      "after",
      examples([
        ["Show one key: status, scopes, expiry, last use", "intg keys show key_01JD8Q3ZK7"],
        ["The same as JSON", "intg keys show key_01JD8Q3ZK7 --json"],
      ]),
    )
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printKey(ctx, await showKey(await ctx.services(), { id }));
    });
}
