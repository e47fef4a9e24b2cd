import { spawnSync } from "node:child_process";
import { closeSync, constants, openSync, readFileSync, readSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { descriptorWriter, isTerminal, readDescriptor } from "../../src/cli/stdio.js";
import { tempDir } from "../helpers/databases.js";

// main.ts writes a stdout that is no terminal through descriptorWriter: every byte, in order; a
// closed reader reported once (EPIPE); a non-blocking descriptor's refusal handed to the stream.
describe("stdio without process.stdout", () => {
  const dir = tempDir();
  afterAll(() => dir.dispose());
  // Multi-byte, longer than a pipe holds (64 KiB), which fills up inside the "—".
  const text = "—é✓ line\n".repeat(20_000);
  const fifo = (name: string) => {
    const path = join(dir.path, name);
    expect(spawnSync("mkfifo", [path]).status).toBe(0);
    return path;
  };

  it("tells no terminal from a file, /dev/null (a character device) or a closed descriptor", () => {
    const file = openSync(join(dir.path, "plain"), "w");
    const devNull = openSync("/dev/null", "w");
    expect([isTerminal(file), isTerminal(devNull)]).toEqual([false, false]);
    closeSync(file);
    closeSync(devNull);
    expect(isTerminal(file)).toBe(false);
  });

  it("writes every byte of a long multi-byte text to a file", () => {
    const path = join(dir.path, "out");
    const fd = openSync(path, "w");
    const w = descriptorWriter(
      fd,
      () => expect.fail("no fallback for a file"),
      (e) => expect.fail(String(e)),
    );
    expect(w.write(text)).toBe(true);
    expect(w.write("end\n")).toBe(true);
    closeSync(fd);
    expect(readFileSync(path, "utf8")).toBe(`${text}end\n`);
  });

  it("reports a reader that is gone (EPIPE) to onError", () => {
    const path = fifo("gone");
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(path, constants.O_WRONLY);
    closeSync(reader);
    const errors: string[] = [];
    const w = descriptorWriter(
      writer,
      () => expect.fail("no fallback"),
      (e) => errors.push(String((e as NodeJS.ErrnoException).code)),
    );
    expect(w.write("x\n")).toBe(false);
    closeSync(writer);
    expect(errors).toEqual(["EPIPE"]);
  });

  it("hands the rest to the fallback stream when a non-blocking descriptor is full (EAGAIN), and later writes too", () => {
    const path = fifo("full");
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    const handed: Buffer[] = [];
    const fallback = { write: (s: string | Uint8Array) => (handed.push(Buffer.from(s)), true) };
    const w = descriptorWriter(
      writer,
      () => fallback,
      (e) => expect.fail(String(e)),
    );
    expect(w.write(text)).toBe(true);
    expect(w.write("end\n")).toBe(true);
    const chunks: Buffer[] = [];
    for (;;) {
      const buf = Buffer.alloc(65_536);
      let n = 0;
      try {
        n = readSync(reader, buf);
      } catch {
        break; // EAGAIN: read all the pipe held
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
    }
    closeSync(reader);
    closeSync(writer);
    expect(handed.length).toBe(2);
    expect(Buffer.concat([...chunks, ...handed]).toString("utf8")).toBe(`${text}end\n`);
  });

  it("reads all of a descriptor, and stops soon after the limit", async () => {
    const path = join(dir.path, "in");
    writeFileSync(path, text);
    const noStream = () => expect.fail("no fallback for a file");
    let fd = openSync(path, "r");
    expect((await readDescriptor(fd, 1024 * 1024, noStream)).toString("utf8")).toBe(text);
    closeSync(fd);
    fd = openSync(path, "r");
    const head = await readDescriptor(fd, 1000, noStream);
    closeSync(fd);
    expect(head.length).toBeGreaterThan(1000);
    expect(head.length).toBeLessThan(Buffer.byteLength(text));
    expect(text.startsWith(head.toString("utf8").slice(0, 100))).toBe(true);
  });

  it("reads on through the fallback stream when a non-blocking descriptor has nothing yet (EAGAIN)", async () => {
    const path = fifo("slow");
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(path, constants.O_WRONLY);
    writeSync(writer, "first ");
    async function* rest() {
      yield "second ";
      yield Buffer.from("third");
    }
    const bytes = await readDescriptor(reader, 1000, rest);
    closeSync(reader);
    closeSync(writer);
    expect(bytes.toString("utf8")).toBe("first second third");
  });
});
