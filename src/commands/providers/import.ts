import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { PROVIDER_IMPORT_FIELDS } from "../../types/integration/integration.fields.js";
import { UsageError } from "../../errors.js";
import { readInputFile } from "../../cli/read-file.js";
import type { ContextFactory } from "../../cli/program.js";
import { toIssues } from "../../services/providers/connector.js";
import { isYaml } from "./file-format.js";
import { examples } from "../examples.js";

/** The file's entries: a `{format, version, providers}` document or a bare list, JSON or YAML. */
async function readEntries(file: string): Promise<{ entries: unknown[]; where: string }> {
  const text = readInputFile(file);
  let data: unknown;
  try {
    data = isYaml(file) ? (await import("yaml")).parse(text) : JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${file} is not valid ${isYaml(file) ? "YAML" : "JSON"}: ${(error as Error).message.split("\n")[0]}; nothing was written.`,
      undefined,
      "INVALID_FILE",
    );
  }
  const { ProviderFileSchema } = await import("../../services/providers/definition.js");
  const parsed = ProviderFileSchema.safeParse(data);
  if (!parsed.success) {
    const [first] = toIssues(parsed.error);
    throw new UsageError(
      `${file} is not a providers file${first?.path ? ` (at ${first.path})` : ""}: expected a list of providers or {"format":"intg-providers","version":1,"providers":[…]}; nothing was written.`,
      undefined,
      "INVALID_FILE",
    );
  }
  return Array.isArray(parsed.data)
    ? { entries: parsed.data, where: "" }
    : { entries: parsed.data.providers, where: "providers" };
}

export function registerImport(providers: Command, context: ContextFactory): void {
  jsonFields(providers.command("import <file>"), PROVIDER_IMPORT_FIELDS)
    .description("Create or replace providers from a JSON or YAML file; all or nothing")
    .option("-n, --dry-run", "validate and report, write nothing", false)
    .addHelpText(
      "after",
      examples([
        ["Check a providers file, write nothing", "intg providers import providers.yaml --dry-run"],
        ["Create or replace the providers it holds", "intg providers import providers.yaml"],
      ]),
    )
    .action(async (file: string, flags: { dryRun: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const { entries, where } = await readEntries(file);
      const { importProviders } = await import("../../services/providers/write.js");
      const result = await importProviders(await ctx.services(), entries, { dryRun: flags.dryRun, where });
      if (ctx.out.json) return ctx.out.printJson(result);
      const verb = result.dryRun ? "Would create" : "Created";
      ctx.out.success(
        `${verb} ${result.created.length} and ${result.dryRun ? "would replace" : "replaced"} ${result.updated.length} provider(s).`,
      );
    });
}
