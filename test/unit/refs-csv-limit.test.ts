import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CsvRecordLimit } from "../../src/services/refs/import-csv-limit.js";

// The CSV record limit cuts out each record over it and keeps every other byte, with the line
// breaks of a record cut out, so the rows after it keep their line numbers; wherever the chunks split.

async function limited(text: string, max: number, chunk: number): Promise<{ out: string; lines: number[] }> {
  const lines: number[] = [];
  const bytes = Buffer.from(text);
  const chunks = Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) =>
    bytes.subarray(i * chunk, (i + 1) * chunk),
  );
  const out: Buffer[] = [];
  for await (const b of Readable.from(chunks).pipe(new CsvRecordLimit(max, (l) => lines.push(l)))) out.push(b);
  return { out: Buffer.concat(out).toString(), lines };
}

const CASES: { name: string; text: string; max: number; out: string; lines: number[] }[] = [
  { name: "nothing over the limit", text: "a,b\n1,2\n3,4", max: 10, out: "a,b\n1,2\n3,4", lines: [] },
  {
    name: "a long record in the middle",
    text: "a,b\n1,2\n3,xxxxxxxxxxxx\n5,6\n",
    max: 8,
    out: "a,b\n1,2\n\n5,6\n",
    lines: [3],
  },
  {
    name: "line breaks inside quotes, kept as line breaks",
    text: 'a,b\n1,"x\ny\nzzzzzzzzzz"\n5,6\n',
    max: 8,
    out: "a,b\n\n\n\n5,6\n",
    lines: [2],
  },
  {
    name: "a quoted line break under the limit",
    text: 'a,b\n1,"x\ny"\n5,6\n',
    max: 8,
    out: 'a,b\n1,"x\ny"\n5,6\n',
    lines: [],
  },
  {
    name: "escaped quotes, and a quote inside an unquoted field",
    text: 'a,b\n1,"x""\n""y"\n2,ab"c\n3,"long""long"\n',
    max: 13,
    out: 'a,b\n1,"x""\n""y"\n2,ab"c\n\n',
    lines: [5],
  },
  // A record cut out of a CRLF file is replaced by CRLF: a bare LF became the next row's first byte.
  {
    name: "CRLF",
    text: "a,b\r\n1,2\r\n3,xxxxxxxxxxx\r\n4,5\r\n",
    max: 8,
    out: "a,b\r\n1,2\r\n\r\n4,5\r\n",
    lines: [3],
  },
  { name: "CRLF, the CR not counted", text: "a,b\r\n1,234567\r\n", max: 8, out: "a,b\r\n1,234567\r\n", lines: [] },
  {
    name: "CRLF inside quotes",
    text: 'a,b\r\n1,"x\r\ny\r\nzzzzzzzzzz"\r\n5,6\r\n',
    max: 8,
    out: "a,b\r\n\r\n\r\n\r\n5,6\r\n",
    lines: [2],
  },
  // Old Mac files end lines with CR alone: the whole file was one record over the limit.
  { name: "CR alone", text: "a,b\r1,2\r3,xxxxxxxxxxx\r4,5\r", max: 8, out: "a,b\r1,2\r\r4,5\r", lines: [3] },
  { name: "CR alone, the last one long", text: "a,b\r1,2\r3,xxxxxxxxxxx", max: 8, out: "a,b\r1,2\r", lines: [3] },
  {
    name: "the last record, with no line break",
    text: "a,b\n1,2\n3,xxxxxxxxxxxxxxxxxx",
    max: 8,
    out: "a,b\n1,2\n",
    lines: [3],
  },
  {
    name: "two in a row, and the first line",
    text: "xxxxxxxxxx\nyyyyyyyyyy\n1,2\n",
    max: 8,
    out: "\n\n1,2\n",
    lines: [1, 2],
  },
];

describe("the CSV record limit", () => {
  for (const c of CASES) {
    it(`keeps every byte but the records over it: ${c.name}`, async () => {
      for (const chunk of [1, 2, 3, 5, 7, 64]) {
        expect(await limited(c.text, c.max, chunk), `chunks of ${chunk}`).toEqual({ out: c.out, lines: c.lines });
      }
    });
  }

  it("holds no more than the limit of a record it cuts out, however long", async () => {
    const limit = new CsvRecordLimit(1000, () => undefined);
    let most = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x78); // x
    for (let i = 0; i < 100; i++) {
      limit.write(chunk);
      most = Math.max(most, limit.held);
    }
    expect(most).toBeLessThanOrEqual(1000);
    expect(limit.read()).toBeNull(); // nothing of it passed on
  });
});
