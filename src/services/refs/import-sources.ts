import type { Readable } from "node:stream";
import { UsageError } from "../../errors.js";
import { CsvRecordLimit } from "./import-csv-limit.js";
import { CsvLines } from "./import-csv-lines.js";
import { checkedUtf8 } from "./import-utf8.js";
import { jsonArraySplitter, ndjsonSplitter, textBatches, tooLong } from "./import-text.js";

// Readers for `refs import`: each turns a byte stream into batches of raw records with their line
// numbers, holding one batch at a time whatever the file's size. A record that cannot even be
// parsed arrives as an error for its line, so it is reported like any invalid row.

export type RawRecord =
  | { line: number; value: Record<string, unknown> }
  | { line: number; fields: string[]; columns: CsvColumns }
  | { line: number; error: string };
/** Where each known column is in a CSV row (-1: absent), worked out once from the header. */
export type CsvColumns = Record<(typeof IMPORT_FIELDS)[number], number>;
export type ImportFormat = "csv" | "ndjson" | "json";

export const REQUIRED_COLUMNS = ["entityType", "entityId", "externalType", "externalId"] as const;
export const IMPORT_FIELDS = ["connectionId", ...REQUIRED_COLUMNS, "metadata", "payloadHash"] as const;

/** The default --max-record-size: a reference is a few hundred bytes; a 50 MB line is an accident or an attack. */
export const DEFAULT_MAX_RECORD = 1024 * 1024;

export function readRecords(
  input: Readable,
  format: ImportFormat,
  batchSize: number,
  maxRecord = DEFAULT_MAX_RECORD,
): AsyncIterable<RawRecord[]> {
  if (format === "csv") return csvBatches(input, batchSize, maxRecord);
  return textBatches(input, batchSize, format === "ndjson" ? ndjsonSplitter(maxRecord) : jsonArraySplitter(maxRecord));
}

async function* csvBatches(input: Readable, batchSize: number, maxRecord: number): AsyncIterable<RawRecord[]> {
  const { parse } = await import("csv-parse");
  const skipped: RawRecord[] = [];
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    // A backstop only: the limit ahead (CsvRecordLimit) cuts every record over it first. Where the
    // two read a malformed quote differently, this one still keeps memory within the limit.
    max_record_size: maxRecord,
  });
  // Each record with the line it starts on, worked out from csv-parse's count where it ends
  // (import-csv-lines.ts). csv-parse's on_record hook would give that count too, but builds a context
  // object per record for it: a tenth of a million-row import. Its counter is current when it pushes
  // the record, so the push is wrapped instead.
  const lines = new CsvLines();
  const push = parser.push.bind(parser);
  parser.push = (fields: string[] | null) =>
    push(fields === null ? null : { line: lines.start(parser.info.lines, fields), fields });
  parser.on("skip", (error: Error & { lines?: number }) =>
    skipped.push({
      line: lines.startOfSkipped(error.lines ?? 0),
      error: `not valid CSV (${error.message})`,
    }),
  );
  // The limit is kept ahead of the parser (import-csv-limit.ts says why), its reports in line order.
  const limit = new CsvRecordLimit(maxRecord, (line) => skipped.push(tooLong(line, maxRecord)));
  const utf8 = checkedUtf8(input);
  for (const stream of [utf8, limit]) stream.on("error", (error) => parser.destroy(error));
  utf8.pipe(limit).pipe(parser);
  let columns: CsvColumns | undefined;
  let batch: RawRecord[] = [];
  try {
    // read() in a loop rather than `for await` over records: one promise per batch, not per row.
    for (;;) {
      let item: { line: number; fields: string[] } | null;
      while ((item = parser.read() as typeof item) !== null) {
        if (!columns) {
          columns = checkHeader(item.fields);
          continue;
        }
        // Skipped records in line order among the rows: the limit reports ahead of the parser.
        if (skipped.length) {
          skipped.sort((a, b) => a.line - b.line);
          while (skipped.length && skipped[0]!.line < item.line) batch.push(skipped.shift()!);
        }
        batch.push({ line: item.line, fields: item.fields, columns });
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (parser.readableEnded || parser.destroyed) break;
      await readableOrEnd(parser);
    }
  } finally {
    // Stopped early (an error, an interrupted import), the caller's stream is closed, not left open.
    input.destroy();
  }
  if (parser.errored) throw parser.errored;
  if (!columns)
    throw new UsageError(
      "The CSV file is empty: it needs a header line naming the columns.",
      undefined,
      "INVALID_IMPORT_HEADER",
    );
  batch.push(...skipped.splice(0).sort((a, b) => a.line - b.line));
  if (batch.length) yield batch;
}

function checkHeader(header: string[]): CsvColumns {
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length)
    throw new UsageError(
      `The CSV header lacks ${missing.join(", ")}; nothing was imported.`,
      `The first line names the columns: ${REQUIRED_COLUMNS.join(",")}[,connectionId,metadata,payloadHash].`,
      "INVALID_IMPORT_HEADER",
    );
  return Object.fromEntries(IMPORT_FIELDS.map((f) => [f, header.indexOf(f)])) as CsvColumns;
}

function readableOrEnd(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("readable", done).off("end", done).off("error", done).off("close", done);
      resolve();
    };
    stream.on("readable", done).on("end", done).on("error", done).on("close", done);
  });
}
