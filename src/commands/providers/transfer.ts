import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { readInputFile } from "../../cli/read-file.js";
import type { ContextFactory } from "../../cli/program.js";
import { writePrivateFile } from "../../lib/private-file.js";
import { toIssues } from "../../services/providers/connector.js";
import { listProviders, toDefinition } from "../../services/providers/rows.js";

const isYaml = (file: string) => /\.ya?ml$/i.test(file);

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

export function registerTransfer(providers: Command, context: ContextFactory): void {
  providers
    .command("import <file>")
    .description("Create or replace providers from a JSON or YAML file; all or nothing")
    .option("-n, --dry-run", "validate and report, write nothing", false)
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
  providers
    .command("export")
    .description("Write every provider as a file `providers import` reads back (JSON, or YAML for .yaml/.yml)")
    .option("--out <file>", "write to this file instead of stdout")
    .option("--format <format>", "json or yaml (default: from --out's extension, else json)")
    .action(async (flags: { out?: string; format?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const format = (flags.format ?? (flags.out && isYaml(flags.out) ? "yaml" : "json")).toLowerCase();
      if (format !== "json" && format !== "yaml")
        throw new UsageError(`--format: unknown value "${flags.format}".`, "Use json or yaml.");
      const doc = {
        format: "intg-providers",
        version: 1,
        providers: (await listProviders(await ctx.services())).map(toDefinition),
      };
      const text = format === "yaml" ? (await import("yaml")).stringify(doc) : JSON.stringify(doc, null, 2) + "\n";
      if (!flags.out) return ctx.out.print(text);
      writePrivateFile(flags.out, text);
      if (ctx.out.json) return ctx.out.printJson({ file: flags.out, format, providers: doc.providers.length });
      ctx.out.success(`Wrote ${doc.providers.length} provider(s) to ${flags.out}.`);
    });
}
