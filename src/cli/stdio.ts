import { fstatSync, writeSync } from "node:fs";
import { nodeTty } from "../lib/lazy-builtins.js";

/**
 * Whether a descriptor is a terminal, asked without loading node:tty when it cannot be one: only a
 * character device can, and fstat tells a pipe, socket or file apart at once. node:tty loads net
 * and the stream modules (~3 ms), which a command whose stdio are pipes never needs.
 */
export function isTerminal(fd: number): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false; // not open: no terminal, as isatty says
  }
  return nodeTty().isatty(fd);
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
      const bytes = Buffer.from(chunk, "utf8");
      let done = 0;
      while (done < bytes.length) {
        try {
          done += writeSync(fd, bytes, done);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EAGAIN") {
            onError(error as Error);
            return false;
          }
          stream = fallback();
          return stream.write(bytes.subarray(done));
        }
      }
      return true;
    },
  };
}
