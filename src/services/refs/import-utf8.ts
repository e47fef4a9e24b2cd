import { Transform, type TransformCallback } from "node:stream";
import { UsageError } from "../../errors.js";
import { validUtf8Prefix } from "../../lib/json-input.js";

// Every format `refs import` reads is checked as UTF-8 on its way in. Decoded as it was, an invalid
// byte became U+FFFD and was imported: ids "1\xff" and "1\xfe" both became "1\uFFFD", one reference.

const LF = 0x0a;

/** Passes the bytes through unchanged; fails, naming the line, at the first that is not UTF-8. */
export class Utf8Check extends Transform {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private line = 1;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      // The first bad byte of this chunk (a sequence begun in the last chunk counts from its start).
      return done(notUtf8(this.line + lineBreaks(chunk, validUtf8Prefix(chunk))));
    }
    this.line += lineBreaks(chunk, chunk.length);
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
