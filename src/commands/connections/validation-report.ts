import type { CommandContext } from "../../cli/context.js";
import { IntgError } from "../../errors.js";
import type { IntegrationConfigValidation } from "../../types/integration/integration.types.js";

// `validate` reports a connections file's problems; `import` reports them the same way before writing anything.

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
