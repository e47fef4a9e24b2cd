import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { CONFIG_VALIDATION_FIELDS } from "../../types/integration/integration.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { readJsonFile } from "../../cli/read-file.js";
import { reportValidation } from "./validation-report.js";
import { examples } from "../examples.js";

export function registerValidate(connections: Command, context: ContextFactory): void {
  jsonFields(connections.command("validate <config.json>"), CONFIG_VALIDATION_FIELDS)
    .description("Check a connections file: every problem with its path; exit 2 when invalid")
    .option("--offline", "check the file alone, without looking providers up in the database", false)
    .addHelpText(
      "after",
      [
        "",
        'The file is one connection or {"connections": [...]}, each:',
        '  {"provider": "stripe", "environment": "production", "name": "main",',
        '   "config": {"k": "v"}, "rateLimitPerMinute": 100, "credential": {"fromEnv": "STRIPE_KEY"}}',
      ].join("\n"),
    )
    .addHelpText(
      "after",
      examples([
        [
          "Check a connections file against the providers in the database",
          "intg connections validate connections.json",
        ],
        ["Check the file alone, e.g. in a pull request", "intg connections validate connections.json --offline --json"],
      ]),
    )
    .action(async (file: string, flags: { offline: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const data = readJsonFile(file);
      const { validateConnectionConfig } = await import("../../services/connections/validate.js");
      const result = await validateConnectionConfig(flags.offline ? null : await ctx.services(), data);
      await reportValidation(ctx, file, result);
    });
}
