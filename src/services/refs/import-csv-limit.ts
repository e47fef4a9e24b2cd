import { Transform, type TransformCallback } from "node:stream";

// --max-record-size for CSV, ahead of csv-parse. csv-parse's own limit (max_record_size) with
// skip_records_with_error gives up the rest of the chunk it is parsing at the record over the
// limit, and then reports the same record again for every chunk that follows: the valid rows after
// it were neither imported nor reported. Here a record over the limit is cut out before csv-parse
// sees it, reported by the line it starts on, and replaced by as many line breaks as it held, so
// the lines csv-parse counts (every other row's number) stay those of the file.

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Passes CSV bytes through, less every record longer than `max` bytes, holding at most one record
 * (up to `max` bytes) and a chunk. Record ends are found as csv-parse finds them: a line break outside
 * quotes, where a quote opens a field only at its start and "" inside one is a quote.
 */
export class CsvRecordLimit extends Transform {
  /** The current record's bytes from earlier chunks, not passed on yet. */
  private carry: Buffer[] = [];
  private carried = 0;
  private dropping = false;
  private quoted = false;
  /** Outside quotes, the byte before was a CR: a line break, with or without an LF after it. */
  private crBefore = false;
  /** Inside quotes, the byte before was a quote: the field's end, or the first of "". */
  private quoteBefore = false;
  /** Inside quotes, the byte before was a CR: an LF after it ends the same line. */
  private crInQuotes = false;
  private fieldStart = true;
  /** The line the current record starts on, and the line breaks it holds so far. */
  private line = 1;
  private breaks = 0;

  constructor(
    private readonly max: number,
    private readonly onTooLong: (line: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let from = 0; // where the current record starts in this chunk (0: it began before)
    let kept = 0; // the start of the bytes not yet passed on
    // The record that ends before `next` (its content `size` bytes, line break not counted), ended
    // by `eol`: passed on, or replaced by as many line breaks as it held when over the limit.
    const finish = (next: number, size: number, eol: string) => {
      if (this.dropping || size > this.max) {
        if (kept < from) this.push(chunk.subarray(kept, from));
        this.push(Buffer.from(eol.repeat(this.breaks + 1)));
        this.tooLong();
        kept = next;
      } else if (this.carry.length > 0) for (const b of this.carry) this.push(b);
      this.carry = [];
      this.carried = 0;
      this.dropping = false;
      this.fieldStart = true;
      this.line += this.breaks + 1;
      this.breaks = 0;
      from = next;
    };
    // Outside quotes, a stretch with no quote and no CR is skipped to its LF (or the chunk's end) by
    // indexOf: most rows hold neither, and byte by byte this filter cost a tenth of an import.
    let quote = chunk.indexOf(QUOTE);
    let cr = chunk.indexOf(CR);
    for (let i = 0; i < chunk.length; i++) {
      if (!this.quoted && !this.quoteBefore && !this.crBefore) {
        if (quote !== -1 && quote < i) quote = chunk.indexOf(QUOTE, i);
        if (cr !== -1 && cr < i) cr = chunk.indexOf(CR, i);
        const stop = Math.min(quote === -1 ? chunk.length : quote, cr === -1 ? chunk.length : cr);
        const lf = chunk.indexOf(LF, i);
        if (lf === -1 || lf > stop) {
          if (stop > i) {
            this.fieldStart = chunk[stop - 1] === COMMA;
            i = stop;
            if (i === chunk.length) break;
          }
        } else i = lf;
      }
      const c = chunk[i];
      if (this.quoted) {
        if (this.quoteBefore) {
          this.quoteBefore = false;
          if (c === QUOTE) continue; // "" inside quotes
          this.quoted = false; // the closing quote: this byte is outside
        } else {
          // A line break inside quotes, as csv-parse counts lines: a CR, an LF, a CRLF as one.
          if (c === QUOTE) this.quoteBefore = true;
          else if (c === CR || (c === LF && !this.crInQuotes)) this.breaks++;
          this.crInQuotes = c === CR;
          continue;
        }
      }
      if (this.crBefore) {
        // A CR outside quotes ends the record: with the LF after it (CRLF), or alone (old Mac files).
        this.crBefore = false;
        const size = this.carried + (i - 1 - from); // the CR may be the last byte of the chunk before
        if (c === LF) {
          finish(i + 1, size, "\r\n");
          continue;
        }
        finish(i, size, "\r");
      }
      if (c === COMMA) this.fieldStart = true;
      else if (c === QUOTE && this.fieldStart) {
        this.quoted = true;
        this.fieldStart = false;
      } else if (c === CR) this.crBefore = true;
      else if (c === LF) finish(i + 1, this.carried + (i - from), "\n");
      else this.fieldStart = false;
    }
    if (kept < from) this.push(chunk.subarray(kept, from));
    if (!this.dropping && from < chunk.length) {
      this.carry.push(chunk.subarray(from));
      this.carried += chunk.length - from;
      if (this.carried > this.max + (this.crBefore ? 1 : 0)) this.tooLong();
    }
    done();
  }

  /** Bytes held of the current record: at most the limit. */
  get held(): number {
    return this.carried;
  }

  override _flush(done: TransformCallback): void {
    // The last record, with no line break after it (or a lone CR, counted in `carried`).
    if (!this.dropping && this.carried - (this.crBefore ? 1 : 0) > this.max) this.tooLong();
    if (!this.dropping) for (const b of this.carry) this.push(b);
    this.carry = [];
    done();
  }

  /** Reports the current record once, and drops what is held of it. */
  private tooLong(): void {
    if (!this.dropping) this.onTooLong(this.line);
    this.dropping = true;
    this.carry = [];
    this.carried = 0;
  }
}
