import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type RawRecord, readRecords } from "../../src/services/refs/import-sources.js";

// A CSV record with a line break in a quoted cell is named by the line it starts on, as NDJSON and
// JSON records are: it was named by the line it ends on. And a CRLF inside quotes is one line, not
// two, so the rows after it keep their numbers in a CRLF file.

async function csv(lines: string[], eol: string, chunk = 1 << 16, max = 1000): Promise<RawRecord[]> {
  const bytes = Buffer.from(lines.join(eol) + eol);
  const chunks = Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) =>
    bytes.subarray(i * chunk, (i + 1) * chunk),
  );
  const out: RawRecord[] = [];
  for await (const batch of readRecords(Readable.from(chunks), "csv", 100, max)) out.push(...batch);
  return out;
}

const said = (r: RawRecord) => `${r.line}:${"fields" in r ? r.fields[1] : "error" in r ? r.error.slice(0, 30) : "?"}`;

// Lines 1-14: a header, then rows of one, two and three lines, an empty line, a row csv-parse gives
// up on (a quote inside an unquoted cell) and one over --max-record-size, each among others. (A row
// given up on with a quoted CRLF in a CRLF file puts the rows after it a line early: import-csv-lines.ts.)
const FILE = [
  "entityType,entityId,externalType,externalId,metadata",
  'user,1,contact,c1,"{""a"":',
  '1}"',
  "user,2,contact,,",
  'user,3,contact,c3,"{""n"":""x',
  "y",
  'z""}"',
  "",
  "user,4,contact,c4,",
  'user,5,contact,c5,x"y',
  "user,6,contact,c6,",
  `user,7,contact,c7,"${"long ".repeat(40)}`,
  '"',
  "user,8,contact,c8,",
];

describe("CSV records over several lines", () => {
  for (const [name, eol] of [
    ["LF", "\n"],
    ["CRLF", "\r\n"],
    ["CR", "\r"],
  ] as const) {
    it(`are named by the line they start on: ${name}`, async () => {
      const got = await csv(FILE, eol, 1 << 16, 120);
      expect(got.map(said)).toEqual([
        "2:1",
        "4:2",
        "5:3",
        "9:4",
        "10:not valid CSV (Invalid Opening",
        "11:6",
        "12:longer than 120 bytes (--max-r",
        "14:8",
      ]);
    });
  }

  it("whatever the chunks", async () => {
    for (const eol of ["\n", "\r\n", "\r"])
      for (const chunk of [1, 2, 3, 7, 64]) {
        const got = await csv(FILE, eol, chunk, 120);
        expect(
          got.map((r) => r.line),
          `${JSON.stringify(eol)} in chunks of ${chunk}`,
        ).toEqual([2, 4, 5, 9, 10, 11, 12, 14]);
      }
  });

  it("in the rows the import rejects", async () => {
    const got = await csv(
      ["entityType,entityId,externalType,externalId", 'user,"a', 'b",contact,', "user,2,c,2"],
      "\n",
    );
    expect(got.map((r) => [r.line, "fields" in r && r.fields.join("|")])).toEqual([
      [2, "user|a\nb|contact|"],
      [4, "user|2|c|2"],
    ]);
  });

  it("in rows csv-parse gives up on, one after another or unclosed, never the header", async () => {
    // Read from csv-parse's internal state after a fault, such rows were named line 1 or 2 wherever they stood.
    const H = "entityType,entityId,externalType,externalId";
    for (const eol of ["\n", "\r\n"]) {
      const two = await csv([H, 'user,a"b,c,1', 'user,c"d,c,2', 'user,"m', 'n",c,3', "user,z,c,4"], eol);
      expect(two.map((r) => r.line)).toEqual([2, 3, 4, 6]);
      const unclosed = await csv([H, "user,x,c,0", 'user,"a', "b,c,1", "user,w,c,2"], eol);
      expect(unclosed.map((r) => r.line)).toEqual([2, 3]);
    }
  });
});
