// The line each CSV record starts on. csv-parse counts lines as it reads, and says only the line it
// has reached: where a record ends. A row with a line break in a quoted cell was reported by its
// last line, where the NDJSON and JSON readers and the size limit (import-csv-limit.ts) name the
// first. csv-parse also counts a CRLF inside quotes as two lines (one outside them): in a CRLF file
// every row after such a cell was named a line too far down, and more with each one.

const LF = 10;
const CR = 13;

export class CsvLines {
  /** csv-parse's line where the last record it gave ended. */
  private lastEnd = 0;
  /** Lines csv-parse counted twice so far: the CRLFs inside quotes. */
  private twice = 0;

  /** The line a record starts on, given its cells and csv-parse's line where it ended. */
  start(end: number, fields: readonly string[]): number {
    const next = end - this.lastEnd <= 1;
    this.lastEnd = end;
    // On the line after the last record's end: one line, nothing to count (nearly every row).
    if (next) return end - this.twice;
    return this.back(end, fields);
  }

  /**
   * The line a record csv-parse gave up on (a stray quote, an unclosed one) starts on: the line after
   * the last record's end, csv-parse's count `at` being where it found the fault. What it had read of
   * the record is not in its API (its internal state, read after a fault, named the header line).
   * Empty lines before such a record, and a CRLF inside its quotes in a CRLF file, put it and the
   * rows after it a line early: rare, and the fault's own line is in the message.
   */
  startOfSkipped(at: number): number {
    const start = this.lastEnd + 1 - this.twice;
    this.lastEnd = at;
    return start;
  }

  /** `end` less the line breaks in `cells`, and the lines counted twice before them. */
  private back(end: number, cells: readonly string[]): number {
    let breaks = 0; // as csv-parse counts them: each CR and each LF
    let crlf = 0;
    for (const cell of cells) {
      for (let i = 0; i < cell.length; i++) {
        const c = cell.charCodeAt(i);
        if (c === LF) breaks++;
        else if (c === CR) {
          breaks++;
          if (cell.charCodeAt(i + 1) === LF) crlf++;
        }
      }
    }
    const start = end - this.twice - breaks;
    this.twice += crlf;
    return start;
  }
}
