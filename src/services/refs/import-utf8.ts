import { type Readable, Transform, type TransformCallback } from "node:stream";
import { UsageError } from "../../errors.js";
import { validUtf8Prefix } from "../../lib/json-input.js";

// Every format `refs import` reads is checked as UTF-8 on its way in. Decoded as it was, an invalid
// byte became U+FFFD and was imported: ids "1\xff" and "1\xfe" both became "1\uFFFD", one reference.

const LF = 0x0a;

/** The input piped through the check, the input's own errors passed on to it. */
export function checkedUtf8(input: Readable): Utf8Check {
  const checked = input.pipe(new Utf8Check());
  input.on("error", (error) => checked.destroy(error));
  return checked;
}

/** Passes the bytes through unchanged; fails, naming the line, at the first that is not UTF-8. */
export class Utf8Check extends Transform {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private line = 1;
  /** The last chunk's unfinished character, to find a bad byte in the next one. */
  private tail: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      // The first bad byte, read on from the last chunk's unfinished character: alone, the bytes
      // that finish it look bad, and the line was counted from the wrong place.
      const at = Math.max(0, validUtf8Prefix(Buffer.concat([this.tail, chunk])) - this.tail.length);
      return done(notUtf8(this.line + lineBreaks(chunk, at)));
    }
    this.line += lineBreaks(chunk, chunk.length);
    this.tail = unfinished(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    try {
      this.decoder.decode(); // a sequence cut off by the end of the file
      done();
    } catch {
      done(notUtf8(this.line));
    }
  }
}

/** The bytes of a character the chunk ends in the middle of (none when it ends on a whole one). */
function unfinished(chunk: Buffer): Buffer {
  for (let k = 1; k <= Math.min(3, chunk.length); k++) {
    const c = chunk[chunk.length - k]!;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: its lead is further back
    const length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return k < length ? chunk.subarray(chunk.length - k) : Buffer.alloc(0);
  }
  return Buffer.alloc(0);
}

function lineBreaks(chunk: Buffer, end: number): number {
  let n = 0;
  for (let i = chunk.indexOf(LF); i !== -1 && i < end; i = chunk.indexOf(LF, i + 1)) n++;
  return n;
}

const notUtf8 = (line: number) =>
  new UsageError(
    `Line ${line} is not valid UTF-8; nothing was imported.`,
    "Save the file as UTF-8 (iconv -f <its encoding> -t UTF-8).",
    "INVALID_UTF8",
  );
