import { fstatSync, read, statSync, writeSync } from "node:fs";
import { nodeTty } from "../lib/lazy-builtins.js";

/**
 * Whether a descriptor is a terminal, asked without loading node:tty when it cannot be one: only a
 * character device can, and fstat tells a pipe, socket or file apart at once. node:tty loads net
 * and the stream modules (~3 ms), which a command whose stdio are pipes never needs.
 */
export function isTerminal(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    // /dev/null is a character device too, and the usual stdin of scripts and services.
    if (!stat.isCharacterDevice() || stat.rdev === nullDevice()) return false;
  } catch {
    return false; // not open: no terminal, as isatty says
  }
  return nodeTty().isatty(fd);
}

let devNull: number | undefined;
function nullDevice(): number {
  try {
    devNull ??= statSync("/dev/null").rdev;
  } catch {
    devNull = -1; // no /dev/null (Windows): every character device is asked
  }
  return devNull;
}

export interface Writer {
  write(chunk: string): boolean;
}

/** A stream to carry on with: it takes bytes, as a refused write may stop inside a character. */
export interface ByteWriter {
  write(chunk: string | Uint8Array): boolean;
}

/**
 * Writes straight to a descriptor that is not a terminal (a pipe, a socket or a file), without
 * building process.stdout: for a pipe that is a net.Socket, and loading net costs every command
 * ~3 ms. Node writes to such a stdout synchronously too, so the order of writes is the same.
 * A write that fails calls `onError` (EPIPE: the reader is gone). A descriptor someone else made
 * non-blocking can refuse a write (EAGAIN); the rest of that write, and every later one, then goes
 * to the stream `fallback` returns, which waits for the reader.
 */
export function descriptorWriter(fd: number, fallback: () => ByteWriter, onError: (error: Error) => void): Writer {
  let stream: ByteWriter | undefined;
  return {
    write(chunk) {
      if (stream) return stream.write(chunk);
      let bytes: Buffer | undefined;
      let done = 0;
      try {
        // A write nearly always goes whole: the text is then written with no Buffer made of it.
        done = writeSync(fd, chunk);
        if (done === Buffer.byteLength(chunk)) return true;
        bytes = Buffer.from(chunk, "utf8");
        while (done < bytes.length) done += writeSync(fd, bytes, done);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") {
          onError(error as Error);
          return false;
        }
        stream = fallback();
        return stream.write((bytes ?? Buffer.from(chunk, "utf8")).subarray(done));
      }
    },
  };
}

/**
 * All of a descriptor that is no terminal (a pipe, a socket or a file) up to `max` bytes and a
 * few more (so that the caller can tell "too large"), read without building process.stdin, whose
 * net.Socket loads net and the stream modules. Reads go through libuv's thread pool, so signals
 * are still handled while a writer takes its time. A non-blocking descriptor that has nothing
 * yet (EAGAIN) is read on through the stream `fallback` returns, which waits for data.
 */
export function readDescriptor(
  fd: number,
  max: number,
  fallback: () => AsyncIterable<string | Uint8Array>,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const done = () => Buffer.concat(chunks);
  return new Promise((resolve, reject) => {
    const next = () => {
      const buffer = Buffer.allocUnsafe(16 * 1024);
      read(fd, buffer, 0, buffer.length, null, (error, n) => {
        if (error?.code === "EAGAIN") return resolve(readRest(fallback(), chunks, size, max));
        if (error) return reject(error);
        chunks.push(buffer.subarray(0, n));
        size += n;
        if (n === 0 || size > max) resolve(done());
        else next();
      });
    };
    next();
  });
}

async function readRest(
  stream: AsyncIterable<string | Uint8Array>,
  chunks: Buffer[],
  size: number,
  max: number,
): Promise<Buffer> {
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
    chunks.push(buffer);
    size += buffer.length;
    if (size > max) break;
  }
  return Buffer.concat(chunks);
}
