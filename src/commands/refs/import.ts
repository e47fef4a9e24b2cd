import { createReadStream, statSync } from "node:fs";
import { jsonFields } from "../../cli/json-fields.js";
import { IMPORT_FIELDS } from "../../types/integration/external-reference.fields.js";
import { Transform, type Readable } from "node:stream";
import type { Command } from "commander";
import type { CommandContext } from "../../cli/context.js";
import { IntgError, UsageError } from "../../errors.js";
import { enumOption } from "../../cli/flags.js";
import type { ContextFactory } from "../../cli/program.js";
import { parseIntFlag } from "../../cli/parse.js";
import { PrivateFile } from "../../lib/private-file.js";
import { DEFAULT_MAX_RECORD, readRecords, type ImportFormat } from "../../services/refs/import-sources.js";
import type { BulkReferenceOperation } from "../../types/integration/external-reference.types.js";
import { progressBar } from "./progress.js";
import { writeOut } from "./write-out.js";
import { examples } from "../examples.js";

interface ImportFlags {
  connection?: string;
  mode: string;
  format?: string;
  dryRun: boolean;
  atomic: boolean;
  errorsOut?: string;
  maxRecordSize: string;
}

const BATCH_ROWS = 2000; // rows validated and written at a time; 1,000 measured ~15% slower

export function registerImport(refs: Command, context: ContextFactory): void {
  jsonFields(refs.command("import <file>"), IMPORT_FIELDS)
    .description("Import references from CSV, NDJSON or a JSON array ('-' reads stdin), streaming")
    .option("--connection <id>", "the connection of rows without a connectionId column")
    .addOption(
      enumOption("--mode <mode>", "insert: existing links are unchanged or rejected; upsert: update their metadata", [
        "insert",
        "upsert",
      ]).default("insert"),
    )
    .addOption(enumOption("--format <format>", "default: from the file's extension", ["csv", "ndjson", "json"]))
    .option("-n, --dry-run", "validate and count everything, write nothing", false)
    .option("--atomic", "all or nothing: one rejected row writes nothing", false)
    .option("--errors-out <file>", "write every rejected row as NDJSON {action, line, issues, …}")
    .option(
      "--max-record-size <bytes>",
      "reject (by line) a record longer than this; memory stays bounded by it",
      String(DEFAULT_MAX_RECORD),
    )
    .addHelpText(
      "after",
      [
        "\nColumns (CSV header, or JSON keys): entityType, entityId, externalType, externalId, and optionally connectionId, metadata (a JSON object), payloadHash. Other columns are ignored, so an export imports as it is.",
        "With --json: one line per row {action, referenceId, line, issues, …}, then the summary {read, inserted, updated, unchanged, rejected, …}.",
        "Exit codes: 0 every row imported; 2 rows rejected with --atomic or --dry-run (nothing was written); 1 rows rejected otherwise (the valid rows were written).",
      ].join("\n"),
    )
    .addHelpText(
      "after",
      examples([
        ["Import a CSV of references for one connection", "intg refs import refs.csv --connection conn_01JD8T6B9C"],
        [
          "Check a file first: count everything, write nothing",
          "intg refs import refs.ndjson --dry-run --errors-out rejected.ndjson",
        ],
        [
          "Update existing links' metadata, all or nothing, from stdin",
          "intg refs import - --format ndjson --mode upsert --atomic < refs.ndjson",
        ],
      ]),
    )
    .action(async (file: string, flags: ImportFlags, cmd: Command) => {
      const ctx = context(cmd);
      // `refs import --json | head -1` imported nothing past the first rows printed, and exited 0.
      ctx.deps.finishOnClosedPipe?.();
      if (flags.mode !== "insert" && flags.mode !== "upsert")
        throw new UsageError(`--mode: "${flags.mode}" is not insert or upsert.`);
      const format = importFormat(file, flags.format);
      const maxRecord = parseIntFlag("--max-record-size", flags.maxRecordSize, 64, 256 * 1024 * 1024);
      const { input, size } = openInput(ctx, file);
      let read = 0;
      const counter = new Transform({
        transform: (chunk: Buffer, _enc, done) => ((read += chunk.length), done(null, chunk)),
      });
      input.on("error", (error) =>
        counter.destroy(
          new UsageError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error.message}.`),
        ),
      );
      // Rejected rows carry the file's data: owner-only, and in place only once the import returns.
      const errorsFile = flags.errorsOut ? new PrivateFile(flags.errorsOut) : undefined;
      const bar = await progressBar(ctx, "Importing", size);
      let summary: BulkReferenceOperation;
      // Loaded here, not at start-up: row validation brings zod, which every other refs verb would pay for.
      const { importReferences } = await import("../../services/refs/import.js");
      try {
        summary = await importReferences(await ctx.services(), {
          source: file === "-" ? "stdin" : file,
          connection: flags.connection ?? null,
          mode: flags.mode,
          dryRun: flags.dryRun,
          atomic: flags.atomic,
          batches: readRecords(input.pipe(counter), format, BATCH_ROWS, maxRecord),
          onRejected: errorsFile === undefined ? undefined : (op) => errorsFile.write(JSON.stringify(op) + "\n"),
          // --json streams what became of each row (NDJSON), then the summary as the last line.
          onRows: ctx.out.json
            ? (ops) => writeOut(ctx, ops.map((op) => JSON.stringify(op) + "\n").join(""))
            : undefined,
          onBatch: (s) => bar?.update(read, s.read),
          signal: ctx.deps.signal,
        });
      } catch (error) {
        errorsFile?.abort();
        throw error;
      } finally {
        bar?.stop();
      }
      errorsFile?.commit();
      await report(ctx, summary, flags.errorsOut);
    });
}

function importFormat(file: string, flag: string | undefined): ImportFormat {
  const given =
    flag ??
    (/\.csv$/i.test(file)
      ? "csv"
      : /\.(ndjson|jsonl)$/i.test(file)
        ? "ndjson"
        : /\.json$/i.test(file)
          ? "json"
          : undefined);
  if (given === undefined)
    throw new UsageError(
      `Cannot tell the format of ${file === "-" ? "stdin" : file}.`,
      "Give --format csv, ndjson or json.",
    );
  if (given !== "csv" && given !== "ndjson" && given !== "json")
    throw new UsageError(`--format: "${given}" is not csv, ndjson or json.`);
  return given;
}

function openInput(ctx: CommandContext, file: string): { input: Readable; size: number | null } {
  if (file === "-") {
    if (ctx.deps.io.stdinIsTTY)
      throw new UsageError(
        "'-' reads the references from stdin, but stdin is a terminal.",
        "Pipe a file in, or give its path.",
      );
    return { input: ctx.deps.io.stdin as Readable, size: null };
  }
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    throw new UsageError(
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; nothing was imported.`,
    );
  }
  // 64 KiB reads: csv-parse turns a whole chunk into records at once, and a million-row import
  // with 1 MiB chunks held ~45,000 of them alive at a time (peak RSS 226 MB against 159 MB).
  return { input: createReadStream(file, { highWaterMark: 1 << 16 }), size };
}

async function report(ctx: CommandContext, s: BulkReferenceOperation, errorsOut: string | undefined): Promise<void> {
  if (ctx.out.json) ctx.out.printNdjson(s);
  else
    await ctx.out.details([
      ["source", s.source],
      ["mode", s.mode + (s.atomic ? ", atomic" : "") + (s.dryRun ? ", dry run" : "")],
      ["read", s.read],
      ["inserted", s.inserted],
      ["updated", s.updated],
      ["unchanged", s.unchanged],
      ["rejected", s.rejected],
      ["committed", s.committed ? "yes" : "no"],
    ]);
  if (s.interrupted) {
    const done = s.committed
      ? `${s.inserted + s.updated} row(s) were written; importing the file again carries on`
      : "nothing was written";
    throw new IntgError("INTERRUPTED", `Interrupted after ${s.read} row(s): ${done}.`, "interrupted");
  }
  if (s.rejected === 0)
    return ctx.out.success(
      s.dryRun ? `Dry run: ${s.read} row(s) valid; nothing was written.` : `Imported ${s.read} row(s).`,
    );
  if (!ctx.out.json)
    for (const e of s.firstErrors)
      ctx.out.warn(
        `line ${e.line}: ${e.issues.map((i) => (i.path ? `${i.path} ${i.message}` : i.message)).join("; ")}`,
      );
  const more =
    s.rejected > s.firstErrors.length
      ? ` (the first ${s.firstErrors.length} are shown${errorsOut ? `; all in ${errorsOut}` : "; --errors-out <file> lists them all"})`
      : "";
  if (!s.committed)
    throw new UsageError(`${s.rejected} row(s) rejected${more}; nothing was written.`, undefined, "IMPORT_REJECTED");
  throw new IntgError(
    "IMPORT_PARTIAL",
    `${s.rejected} row(s) rejected${more}; the other ${s.inserted + s.updated + s.unchanged} row(s) were imported.`,
  );
}
