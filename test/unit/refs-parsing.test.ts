import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseQualifiedExternal, parseSince, parseTyped, parseTypes } from "../../src/commands/refs/flags.js";
import { formatDate, parseDate } from "../../src/lib/date-pattern.js";
import { readRecords, type ImportFormat, type RawRecord } from "../../src/services/refs/import-sources.js";
import { checkRecord } from "../../src/services/refs/import-rows.js";
import { sequentialIds } from "../../src/services/refs/sequential-ids.js";

const NOW = new Date("2026-01-15T12:00:00.000Z");

async function records(text: string | string[], format: ImportFormat, batch = 2): Promise<RawRecord[][]> {
  const out: RawRecord[][] = [];
  for await (const b of readRecords(Readable.from(Array.isArray(text) ? text : [text]), format, batch)) out.push(b);
  return out;
}

describe("refs flags", () => {
  it.each([
    ["user:42", { type: "user", id: "42" }],
    ["contact:urn:x:901", { type: "contact", id: "urn:x:901" }],
    ["hs.contact_v2:A-1", { type: "hs.contact_v2", id: "A-1" }],
  ])("reads %s as <type>:<id>", (text, want) => expect(parseTyped("--entity", text)).toEqual(want));

  it.each(["user", ":42", "user:", "1user:42", "us er:1", "user:a\tb", `user:${"x".repeat(256)}`])(
    "refuses %j (exit 2)",
    (text) => {
      expect(() => parseTyped("--entity", text)).toThrow(expect.objectContaining({ kind: "usage" }));
    },
  );

  it("reads <connection>:<type>:<id>, --since as a duration or a date, and type lists", () => {
    expect(parseQualifiedExternal("conn_1:contact:9:9")).toEqual({ connection: "conn_1", type: "contact", id: "9:9" });
    expect(() => parseQualifiedExternal("contact")).toThrow(/<connection>:<type>:<id>/);
    expect(parseSince("2d", NOW).toISOString()).toBe("2026-01-13T12:00:00.000Z");
    expect(parseSince("2026-01-01", NOW).toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(parseTypes("--entity-type", ["user,account", "lead"])).toEqual(["user", "account", "lead"]);
    expect(() => parseTypes("--entity-type", ["a b"])).toThrow(/not a type name/);
  });
});

describe("date patterns", () => {
  it("formats and parses the tokens, in UTC, and refuses impossible dates", () => {
    const d = new Date("2026-03-04T05:06:07.089Z");
    expect(formatDate(d, "yyyy-MM-dd HH:mm:ss.SSS")).toBe("2026-03-04 05:06:07.089");
    expect(formatDate(d, "unix")).toBe(1772600767);
    expect(parseDate("04/03/2026", "dd/MM/yyyy")?.toISOString()).toBe("2026-03-04T00:00:00.000Z");
    expect(parseDate(1772600767, null)?.toISOString()).toBe("2026-03-04T05:06:07.000Z");
    expect(parseDate("31/02/2026", "dd/MM/yyyy")).toBeUndefined();
    expect(parseDate("2026-03-04", "dd/MM/yyyy")).toBeUndefined();
  });
});

describe("import readers", () => {
  it("reads CSV in batches with the line each record starts on, across chunks and quoted newlines", async () => {
    const batches = await records(
      [
        "entityType,entityId,externalType,exter",
        'nalId,metadata\nuser,1,contact,c1,\n\nuser,2,contact,c2,"{""a"":\n1}"\nuser,3,contact,c3,\n',
      ],
      "csv",
    );
    expect(batches.map((b) => b.length)).toEqual([2, 1]);
    const checked = batches.flat().map((r) => checkRecord(r, "conn_1"));
    expect(checked.map((c) => (c.ok ? [c.row.line, c.row.entityId, c.row.metadata] : c))).toEqual([
      [2, "1", undefined],
      [4, "2", { a: 1 }],
      [6, "3", undefined],
    ]);
  });

  it("refuses a CSV without the required columns, or empty, before reading rows", async () => {
    await expect(records("entityType,entityId\nuser,1\n", "csv")).rejects.toMatchObject({
      kind: "usage",
      message: expect.stringContaining("externalType, externalId"),
    });
    await expect(records("", "csv")).rejects.toMatchObject({
      kind: "usage",
      message: expect.stringContaining("empty"),
    });
  });

  it("reads NDJSON and JSON arrays with line numbers; a bad element is a rejected line, a bad file an error", async () => {
    const nd = (await records('{"a":1}\n\nnot json\n[1]\n{"b":2}', "ndjson", 10)).flat();
    expect(nd.map((r) => [r.line, "error" in r ? r.error.slice(0, 12) : "ok"])).toEqual([
      [1, "ok"],
      [3, "not valid JS"],
      [4, "not a JSON o"],
      [5, "ok"],
    ]);
    const arr = (await records(['[\n {"a":"]"},\n {"b":{"c":[1]}', "}\n]"], "json", 10)).flat();
    expect(arr).toEqual([
      { line: 2, value: { a: "]" } },
      { line: 3, value: { b: { c: [1] } } },
    ]);
    await expect(records("[1,2]", "json")).rejects.toMatchObject({ kind: "usage" });
    await expect(records('[{"a":1}', "json")).rejects.toMatchObject({
      kind: "usage",
      message: expect.stringContaining("not closed"),
    });
  });
});

describe("sequential ids", () => {
  it("increase within one millisecond, carrying over as a counter would", () => {
    const ids = sequentialIds("reference", NOW, 100);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(100);
    expect(ids.every((id) => /^ref_[0-9A-Z]{26}$/.test(id))).toBe(true);
    const later = sequentialIds("reference", new Date(NOW.getTime() + 1), 1)[0]!;
    expect(later > ids[99]!).toBe(true);
  });
});
