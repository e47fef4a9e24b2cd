import { describe, expect, it } from "vitest";
import { col, sqliteDate } from "../../src/db/sql.js";

// sqliteDate keeps the text up to the second between calls: every call must still give exactly
// the stored form Prisma's adapter writes, whatever came before it.
describe("sqliteDate", () => {
  const reference = (d: Date) => d.toISOString().replace("Z", "+00:00");

  it("matches toISOString with +00:00 across milliseconds, seconds and back again", () => {
    const base = Date.UTC(2026, 11, 1, 13, 22, 3, 0);
    const times = [
      0,
      1,
      9,
      10,
      99,
      100,
      999,
      1000,
      1001,
      59_999,
      60_000,
      999,
      86_400_000 - 1,
      86_400_000,
      5,
      -1,
      -1000,
    ];
    for (const offset of times) {
      const d = new Date(base + offset);
      expect(sqliteDate(d)).toBe(reference(d));
    }
  });

  it("matches it at the edges of the four-digit years and for dates before 1970", () => {
    for (const d of [
      new Date(0),
      new Date(-1),
      new Date("1969-12-31T23:59:59.999Z"),
      new Date("9999-12-31T23:59:59.999Z"),
      new Date("0000-01-01T00:00:00.000Z"),
      new Date(Date.UTC(2024, 1, 29, 0, 0, 0, 7)),
    ]) {
      expect(sqliteDate(d)).toBe(reference(d));
    }
  });

  it("refuses a year past 9999 or before 0000: its text would sort out of time order", () => {
    for (const text of ["+010000-01-01T00:00:00.000Z", "+021192-05-01T00:00:00.000Z", "-000001-12-31T23:59:59.999Z"]) {
      expect(() => sqliteDate(new Date(text)), text).toThrow(/outside the years 0000-9999/);
    }
  });

  it("gives text that sorts in time order across the accepted range", () => {
    const instants = [
      Date.parse("0000-01-01T00:00:00Z"),
      Date.parse("0999-06-01T00:00:00Z"),
      Date.UTC(1926, 0, 1),
      -1,
      0,
      Date.UTC(2026, 0, 1),
      Date.UTC(2126, 0, 1),
      Date.UTC(9999, 11, 31),
    ];
    const texts = instants.map((t) => sqliteDate(new Date(t)));
    expect([...texts].sort()).toEqual(texts);
  });

  it("matches it for a run of random instants, as the worker formats them", () => {
    let t = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 5000; i++) {
      t += Math.floor(Math.random() * 1500);
      const d = new Date(t);
      expect(sqliteDate(d)).toBe(reference(d));
    }
  });

  it("refuses an invalid date as toISOString does", () => {
    expect(() => sqliteDate(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("col.iso", () => {
  // keys list prints dates read as the driver gives them: SQLite's stored text, PostgreSQL's Date,
  // and epoch milliseconds as the typed layer's DATETIME conversion reads a number.
  it("gives the ISO text of stored text, a Date or epoch milliseconds, as new Date() would", () => {
    const at = new Date("2026-12-04T16:06:43.438Z");
    expect(col.iso("2026-12-04T16:06:43.438+00:00")).toBe(at.toISOString());
    expect(col.iso(at)).toBe(at.toISOString());
    expect(col.iso(at.getTime())).toBe(at.toISOString());
    expect(col.iso("2026-12-04T16:06:43Z")).toBe("2026-12-04T16:06:43.000Z");
    expect(col.iso(null)).toBeNull();
  });
});
