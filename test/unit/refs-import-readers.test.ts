import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type ImportFormat, type RawRecord, readRecords } from "../../src/services/refs/import-sources.js";

// --max-record-size counts UTF-8 bytes in every format: NDJSON and JSON counted string length,
// so a record of two-byte characters passed at up to twice the limit (three-byte, three times).
async function records(text: string, format: ImportFormat, max: number): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const batch of readRecords(Readable.from([Buffer.from(text)]), format, 100, max)) out.push(...batch);
  return out;
}

const ref = (id: string, note: string) =>
  JSON.stringify({ entityType: "user", entityId: id, externalType: "contact", externalId: id, metadata: { note } });

describe("--max-record-size in bytes", () => {
  // 300 "é" are 300 characters and 600 bytes; with the rest of the record, under 400 characters.
  const wide = "é".repeat(300);
  const narrow = "e".repeat(300);
  const cases: [ImportFormat, string][] = [
    ["ndjson", `${ref("1", narrow)}\n${ref("2", wide)}\n`],
    ["json", `[${ref("1", narrow)},\n${ref("2", wide)}]`],
    [
      "csv",
      `entityType,entityId,externalType,externalId,metadata\nuser,1,contact,1,"{""n"":""${narrow}""}"\nuser,2,contact,2,"{""n"":""${wide}""}"\n`,
    ],
  ];
  for (const [format, text] of cases) {
    it(`rejects a record under the limit in characters and over it in bytes: ${format}`, async () => {
      const got = await records(text, format, 500);
      const errors = got.filter((r) => "error" in r);
      expect(errors).toEqual([{ line: format === "csv" ? 3 : 2, error: "longer than 500 bytes (--max-record-size)" }]);
      expect(got.length - errors.length).toBe(1);
    });
  }
});

describe("the CSV reader past a record over the limit", () => {
  // The rows after it arrive whole, whatever ends the lines: a bare LF put in a CRLF file's place
  // became the next row's first byte, and a CR-only file was one record.
  for (const [name, eol] of [
    ["LF", "\n"],
    ["CRLF", "\r\n"],
    ["CR", "\r"],
  ] as const) {
    it(`ends lines with ${name}`, async () => {
      const text = [
        "entityType,entityId,externalType,externalId",
        "user,1,contact,c1",
        `user,2,contact,${"x".repeat(300)}`,
        "user,3,contact,c3",
        "",
      ].join(eol);
      const got = await records(text, "csv", 100);
      expect(got.map((r) => ("fields" in r ? r.fields.join(",") : "error" in r ? r.error : r.value))).toEqual([
        "user,1,contact,c1",
        "longer than 100 bytes (--max-record-size)",
        "user,3,contact,c3",
      ]);
      expect(got.map((r) => r.line)).toEqual([2, 3, 4]);
    });
  }
});

describe("the CSV reader after a malformed quote", () => {
  // csv-parse reads on inside the quote (the limit ahead of it does not): its own limit still stops
  // it at the limit, rather than holding the rest of the file as one field.
  it("stops at --max-record-size, not at the end of the file", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `user,${i},contact,c${i}`);
    const text = `entityType,entityId,externalType,externalId\nuser,1,"a"b,c\n${rows.join("\n")}\n`;
    const errors = (await records(text, "csv", 500)).flatMap((r) => ("error" in r ? [r.error] : []));
    expect(errors[0]).toMatch(/Invalid Closing Quote/);
    expect(errors[1]).toMatch(/Max Record Size: .* 500 at line \d+\)$/);
  });
});

describe("the JSON reader", () => {
  it("calls an empty JSON file empty, not an array left open", async () => {
    await expect(records("", "json", 500)).rejects.toThrow("The JSON file is empty");
    await expect(records(" \n", "json", 500)).rejects.toThrow("The JSON file is empty");
    await expect(records("[", "json", 500)).rejects.toThrow("The JSON array is not closed");
    expect(await records("[]", "json", 500)).toEqual([]);
  });
});

describe("a reader stopped early", () => {
  it("closes the stream it read, as iterating it directly did", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ref(String(i), "n")).join("\n");
    for (const format of ["ndjson", "csv"] as const) {
      const text = format === "csv" ? `entityType,entityId,externalType,externalId\n${"u,1,c,1\n".repeat(50)}` : rows;
      // Far more than a read takes at once: the stream is still open when the reader stops.
      const input = Readable.from(
        Array.from({ length: 2_000 }, (_, i) => Buffer.from(i === 0 ? text : text.slice(text.indexOf("\n") + 1))),
      );
      for await (const _ of readRecords(input, format, 1, 500)) break;
      await new Promise((r) => setImmediate(r));
      expect(input.destroyed, format).toBe(true);
    }
  });
});
