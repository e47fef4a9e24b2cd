import type { Command } from "commander";
import { NO_FIELDS, jsonFields } from "../../cli/json-fields.js";
import type { CommandContext } from "../../cli/context.js";
import { UsageError } from "../../errors.js";
import { enumOption } from "../../cli/flags.js";
import type { ContextFactory } from "../../cli/program.js";
import { withPrivateFile, type PrivateFile } from "../../lib/private-file.js";
import { countReferences, exportReferences } from "../../services/refs/export.js";
import { REF_FIELDS } from "../../services/refs/rows.js";
import type { ExternalReference } from "../../types/integration/external-reference.types.js";
import { addRefFilterFlags, toRefFilter, type FilterFlags } from "./filter-flags.js";
import { progressBar } from "./progress.js";
import { writeOut } from "./write-out.js";
import { examples } from "../examples.js";

export function registerExport(refs: Command, context: ContextFactory): void {
  addRefFilterFlags(
    // It writes the file format refs import reads, whatever --json says: no view to pick fields from.
    jsonFields(refs.command("export"), NO_FIELDS).description(
      "Stream references to stdout as CSV or NDJSON (the format refs import reads)",
    ),
  )
    .addOption(enumOption("--format <format>", "the file's format", ["csv", "ndjson"]).default("ndjson"))
    .option("--out <file>", "write to this file (owner-only, replaced once the export is complete) instead of stdout")
    .option(
      "--excel-safe",
      "csv: prefix cells starting with = + - @ (a spreadsheet formula) with ', for opening in a spreadsheet, not for refs import",
    )
    .addHelpText(
      "after",
      examples([
        [
          "Export one connection's references as CSV",
          "intg refs export --connection conn_01JD8T6B9C --format csv --out refs.csv",
        ],
        ["Stream what changed in the last week, compressed", "intg refs export --since 7d | gzip > refs.ndjson.gz"],
      ]),
    )
    .action(async (flags: ExportFlags, cmd: Command) => {
      const ctx = context(cmd);
      if (flags.format !== "csv" && flags.format !== "ndjson")
        throw new UsageError(`--format: "${flags.format}" is not csv or ndjson.`);
      if (flags.out === undefined) return void (await exportTo(ctx, flags, (text) => writeOut(ctx, text)));
      // A new 0600 file renamed into place at the end: a failed export leaves no half file.
      const toFile = (file: PrivateFile) => exportTo(ctx, flags, async (text) => file.write(text));
      const count = await withPrivateFile(flags.out, toFile);
      ctx.out.info(`Wrote ${count} reference(s) to ${flags.out}.`);
    });
}

type ExportFlags = FilterFlags & { format: string; out?: string; excelSafe?: boolean };

type Write = (text: string) => Promise<void>;

async function exportTo(ctx: CommandContext, flags: ExportFlags, write: Write): Promise<number> {
  if (flags.excelSafe && flags.format !== "csv") throw new UsageError("--excel-safe applies to --format csv only.");
  const line =
    flags.format === "csv" ? csvLine(flags.excelSafe === true) : (r: ExternalReference) => JSON.stringify(r) + "\n";
  const filter = await toRefFilter(ctx, flags);
  if (flags.format === "csv") await write(REF_FIELDS.join(",") + "\n");
  const services = await ctx.services();
  // The bar needs a total; the count is only worth its query when a bar is drawn.
  const bar = ctx.deps.io.stderrIsTTY
    ? await progressBar(ctx, "Exporting", await countReferences(services, filter))
    : undefined;
  let count = 0;
  try {
    for await (const page of exportReferences(services, filter)) {
      let text = "";
      for (const r of page) text += line(r);
      count += page.length;
      await write(text);
      bar?.update(count, count);
    }
  } finally {
    bar?.stop();
  }
  if (flags.out === undefined) ctx.out.info(`Exported ${count} reference(s).`);
  return count;
}

const needsQuotes = /[",\r\n]/;
// A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection"):
// values synced from a provider must not reach one as =HYPERLINK(…). A leading ' makes it text.
const formulaLike = /^[=+\-@\t\r]/;
const cell = (v: unknown, excelSafe: boolean): string => {
  if (v === null || v === undefined) return "";
  let s = typeof v === "object" ? JSON.stringify(v) : String(v);
  if (excelSafe && formulaLike.test(s)) s = `'${s}`;
  return needsQuotes.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csvLine =
  (excelSafe: boolean) =>
  (r: ExternalReference): string => {
    let out = "";
    for (let i = 0; i < REF_FIELDS.length; i++) out += (i ? "," : "") + cell(r[REF_FIELDS[i]!], excelSafe);
    return out + "\n";
  };
