import type { Command } from "commander";
import { IntgError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import type { CommandContext } from "../../cli/context.js";
import type { IntegrationConfigValidation } from "../../types/integration/integration.types.js";
import { readJsonFile } from "../../cli/read-file.js";

export function registerValidate(connections: Command, context: ContextFactory): void {
  connections
    .command("validate <config.json>")
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
    .action(async (file: string, flags: { offline: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const data = readJsonFile(file);
      const { validateConnectionConfig } = await import("../../services/connections/validate.js");
      const result = await validateConnectionConfig(flags.offline ? null : await ctx.services(), data);
      await reportValidation(ctx, file, result);
    });
}

/** Prints the result (JSON, or a table of problems) and, when invalid, exits 2. */
export async function reportValidation(
  ctx: CommandContext,
  file: string,
  result: IntegrationConfigValidation,
): Promise<void> {
  if (ctx.out.json) ctx.out.printJson(result);
  else if (result.valid) ctx.out.success(`${file} is valid.`);
  else
    await ctx.out.table(
      ["PATH", "PROBLEM"],
      result.issues.map((i) => [i.path || "(file)", i.message]),
    );
  if (!result.valid)
    throw new IntgError(
      "INVALID_CONFIG",
      `${file} has ${result.issues.length} problem(s); nothing was written.`,
      "usage",
    );
}
