import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { PROVIDER_EXPORT_FIELDS } from "../../types/integration/integration.fields.js";
import { UsageError } from "../../errors.js";
import { enumOption } from "../../cli/flags.js";
import type { ContextFactory } from "../../cli/program.js";
import { writePrivateFile } from "../../lib/private-file.js";
import { listProviders, toDefinition } from "../../services/providers/rows.js";
import type { ProviderExportSummary } from "../../types/integration/integration.types.js";
import { isYaml } from "./file-format.js";
import { examples } from "../examples.js";

export function registerExport(providers: Command, context: ContextFactory): void {
  jsonFields(providers.command("export"), PROVIDER_EXPORT_FIELDS)
    .description("Write every provider as a file `providers import` reads back (JSON, or YAML for .yaml/.yml)")
    .option("--out <file>", "write to this file instead of stdout")
    .addOption(enumOption("--format <format>", "default: from --out's extension, else json", ["json", "yaml"]))
    .addHelpText(
      "after",
      examples([
        ["Write every provider to a YAML file", "intg providers export --out providers.yaml"],
        ["As JSON on stdout", "intg providers export --format json"],
      ]),
    )
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
      const summary: ProviderExportSummary = { file: flags.out, format, providers: doc.providers.length };
      if (ctx.out.json) return ctx.out.printJson(summary);
      ctx.out.success(`Wrote ${doc.providers.length} provider(s) to ${flags.out}.`);
    });
}
