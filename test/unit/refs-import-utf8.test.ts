import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Utf8Check } from "../../src/services/refs/import-utf8.js";

// The line of the first byte that is not UTF-8, wherever the chunks split the file.
async function check(chunks: Buffer[]): Promise<string> {
  try {
    for await (const _ of Readable.from(chunks).pipe(new Utf8Check()));
    return "valid";
  } catch (error) {
    return (error as Error).message;
  }
}

describe("the import's UTF-8 check", () => {
  it("names the line of the bad byte after a character split across chunks", async () => {
    // "é" is C3 A9: its second byte begins the second chunk, which alone looked bad at once.
    const chunks = [Buffer.from([0x61, 0x0a, 0xc3]), Buffer.from([0xa9, 0x0a, 0x62, 0x0a, 0x63, 0xff, 0x0a])];
    expect(await check(chunks)).toBe("Line 4 is not valid UTF-8; nothing was imported.");
    expect(await check([Buffer.concat(chunks)])).toBe("Line 4 is not valid UTF-8; nothing was imported.");
  });

  it("names the line of a character cut short by the next chunk, and by the end of the file", async () => {
    expect(await check([Buffer.from([0x61, 0x0a, 0xe2, 0x82]), Buffer.from([0x0a, 0x62])])).toBe(
      "Line 2 is not valid UTF-8; nothing was imported.",
    );
    expect(await check([Buffer.from([0x61, 0x0a, 0x62, 0xe2, 0x82])])).toBe(
      "Line 2 is not valid UTF-8; nothing was imported.",
    );
    expect(await check([Buffer.from("a\né\n"), Buffer.from("😀\n")])).toBe("valid");
  });
});
