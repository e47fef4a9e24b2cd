import { describe, expect, it } from "vitest";
import { Output } from "../../src/cli/output.js";
import { createTestIO } from "../helpers/io.js";

const globals = { json: true, color: true, quiet: false, yes: false };
async function* items(n: number) {
  for (let i = 0; i < n; i++) yield { i, name: `item-${i}`, pad: "x".repeat(100) };
}

describe("streamed JSON arrays", () => {
  it("print exactly what JSON.stringify prints off a TTY, however many chunks it takes", async () => {
    for (const n of [0, 1, 3, 2000]) {
      const io = createTestIO();
      await new Output(io, {}, globals).printJsonArray(items(n));
      const all: unknown[] = [];
      for await (const item of items(n)) all.push(item);
      expect(io.out()).toBe(JSON.stringify(all) + "\n");
    }
  });

  it("indent on a TTY, like printJson", async () => {
    const io = createTestIO({ stdoutIsTTY: true });
    await new Output(io, {}, globals).printJsonArray(items(2));
    const all: unknown[] = [];
    for await (const item of items(2)) all.push(item);
    expect(io.out()).toBe(JSON.stringify(all, null, 2) + "\n");
  });
});
