import { dirname, resolve } from "node:path";
import { jsonFields } from "../../cli/json-fields.js";
import { CONNECTION_IMPORT_FIELDS } from "../../types/integration/integration.fields.js";
import type { Command } from "commander";
import type { CommandContext } from "../../cli/context.js";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { readInputFile, readJsonFile } from "../../cli/read-file.js";
import type { ConnectionConfig } from "../../services/connections/validate.js";
import { printConnections } from "./render.js";
import { reportValidation } from "./validation-report.js";
import { examples } from "../examples.js";

/** An entry's credential from where the file says: a variable, or a file beside the config file. */
function credentialOf(ctx: CommandContext, configFile: string, at: string, c: ConnectionConfig): string | null {
  const source = c.credential;
  if (!source) return null;
  let value: string | undefined;
  if ("fromEnv" in source) {
    value = ctx.deps.env[source.fromEnv];
    if (value === undefined)
      throw new UsageError(
        `${at}.credential: the environment variable ${source.fromEnv} is not set; nothing was written.`,
        undefined,
        "EMPTY_SECRET",
      );
  } else value = readInputFile(resolve(dirname(configFile), source.fromFile));
  value = value.replace(/\r?\n$/, "");
  if (value.trim() === "")
    throw new UsageError(`${at}.credential is empty; nothing was written.`, undefined, "EMPTY_SECRET");
  return value;
}

export function registerImport(connections: Command, context: ContextFactory): void {
  jsonFields(connections.command("import <config.json>"), CONNECTION_IMPORT_FIELDS)
    .description("Create every connection a validated connections file describes, in one transaction")
    .option("-n, --dry-run", "validate, read the credentials and report, write nothing", false)
    .addHelpText(
      "after",
      [
        "",
        "The file is the one `intg connections validate` checks; credentials come from the variables or",
        "files it names (fromFile is relative to the config file). Any problem writes nothing.",
      ].join("\n"),
    )
    .addHelpText(
      "after",
      examples([
        ["See what importing a connections file would create", "intg connections import connections.json --dry-run"],
        ["Create them, in one transaction", "intg connections import connections.json"],
      ]),
    )
    .action(async (file: string, flags: { dryRun: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const data = readJsonFile(file);
      const services = await ctx.services();
      const { connectionEntries, ConnectionConfigSchema, validateConnectionConfig } = await import(
        "../../services/connections/validate.js"
      );
      const validation = await validateConnectionConfig(services, data);
      if (!validation.valid) return reportValidation(ctx, file, validation);
      const entries = connectionEntries(data).map(({ at, entry }) => {
        const config = ConnectionConfigSchema.parse(entry);
        return { at, config, credential: credentialOf(ctx, file, at || "the connection", config) };
      });
      const { importConnections } = await import("../../services/connections/import.js");
      const result = await importConnections(services, entries, { dryRun: flags.dryRun });
      if (ctx.out.json) return ctx.out.printJson(result);
      await printConnections(ctx, result.created);
      ctx.out.success(`${result.dryRun ? "Would create" : "Created"} ${result.created.length} connection(s).`);
    });
}
