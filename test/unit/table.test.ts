import { describe, expect, it } from "vitest";
import { fitWidths, relativeTime, renderDetails, renderTable } from "../../src/cli/table.js";
import { displayWidth, stripAnsi, truncateToWidth } from "../../src/lib/display-width.js";

const bold = (s: string) => `\x1b[1m${s}\x1b[22m`;
const green = (s: string) => `\x1b[32m${s}\x1b[39m`;
const widest = (out: string) => Math.max(...out.trimEnd().split("\n").map(displayWidth));

const HEAD = ["ID", "NAME", "STATUS", "URL"];
const ROWS = [
  ["key_01J0000000000000000000000A", "deploy", "active", "https://example.com/a/very/long/path/that/goes/on/and/on"],
  ["key_01J0000000000000000000000B", "a name far longer than the column has room for", "revoked", "https://e.org/"],
];

describe("display width", () => {
  it("counts colour as nothing, East Asian wide characters and emoji as two, combining marks as none", () => {
    expect(displayWidth(green("ok"))).toBe(2);
    expect(displayWidth("\x1b]8;;https://x.dev\x07link\x1b]8;;\x07")).toBe(4);
    expect(displayWidth("日本")).toBe(4);
    expect(displayWidth("🚀x")).toBe(3);
    expect(displayWidth("e\u0301")).toBe(1);
  });

  it("truncates to a width with …, keeping colour codes and resetting a cut one", () => {
    expect(truncateToWidth("abcdef", 4)).toBe("abc…");
    expect(truncateToWidth("abc", 3)).toBe("abc");
    expect(truncateToWidth("日本語", 4)).toBe("日…");
    const cut = truncateToWidth(green("healthy"), 4);
    expect(stripAnsi(cut)).toBe("hea…");
    expect(cut.startsWith("\x1b[32m")).toBe(true);
    expect(cut.endsWith("\x1b[0m")).toBe(true);
    expect(truncateToWidth("abc", 0)).toBe("");
  });
});

describe("the table printer on a terminal", () => {
  it("prints a bold header and aligned columns, no rules, no trailing blanks", () => {
    const out = renderTable(HEAD, ROWS, { tty: true, width: 300, header: bold });
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\x1b\[1mID\x1b\[22m {30}\x1b\[1mNAME/);
    expect(out).not.toMatch(/[│─┌└|]/);
    for (const line of lines) expect(line).toBe(line.trimEnd());
    // Columns line up: every row's STATUS starts where the header's does.
    const at = stripAnsi(lines[0]!).indexOf("STATUS");
    for (const line of lines.slice(1)) expect(line.slice(at)).toMatch(/^(active|revoked)/);
  });

  it.each([80, 60])("fits %i columns, truncating the widest text columns and keeping ids whole", (width) => {
    const out = renderTable(HEAD, ROWS, { tty: true, width, header: bold });
    expect(widest(out)).toBeLessThanOrEqual(width);
    expect(out).toContain("…");
    for (const [id] of ROWS) expect(out).toContain(id);
    expect(out).toContain("active"); // a short column keeps its text while the long ones give way
  });

  it("measures colour as no width: coloured and plain cells fit the same", () => {
    const coloured = ROWS.map(([id, name, status, url]) => [id, name, green(status!), url]);
    const plain = renderTable(HEAD, ROWS, { tty: true, width: 80 });
    const out = renderTable(HEAD, coloured, { tty: true, width: 80 });
    expect(widest(out)).toBeLessThanOrEqual(80);
    expect(stripAnsi(out)).toBe(plain);
  });

  it("cuts even the ids, then the lines, when columns alone cannot fit", () => {
    const out = renderTable(HEAD, ROWS, { tty: true, width: 30 });
    expect(widest(out)).toBeLessThanOrEqual(30);
    const many = Array.from({ length: 30 }, (_, i) => `C${i}`);
    const wide = renderTable(many, [many.map(() => "value")], { tty: true, width: 40 });
    expect(widest(wide)).toBeLessThanOrEqual(40);
  });

  it("shows ISO instants relative to the clock; a row with a newline stays one row", () => {
    const now = new Date("2026-01-15T12:00:00.000Z");
    const out = renderTable(["ID", "CREATED", "NOTE"], [["x_1", "2026-01-12T11:00:00.000Z", "two\nlines"]], {
      tty: true,
      width: 80,
      now,
    });
    expect(out).toBe("ID   CREATED  NOTE\nx_1  3d ago   two lines\n");
  });
});

describe("the table printer off a terminal", () => {
  it("prints tab-separated rows in the same column order, without header, colour or truncation", () => {
    const coloured = ROWS.map(([id, name, status, url]) => [id, name, green(status!), url]);
    const out = renderTable(HEAD, coloured, { tty: false, width: 20, header: bold });
    expect(out).toBe(`${ROWS.map((r) => r.join("\t")).join("\n")}\n`);
  });

  it("keeps one record a line: tabs and newlines in a cell become spaces; nulls are empty; times stay ISO", () => {
    const now = new Date("2026-01-15T12:00:00.000Z");
    const out = renderTable(["A", "B", "C", "D"], [["a\tb", "c\nd", null, "2026-01-12T11:00:00.000Z"]], {
      tty: false,
      width: 80,
      now,
    });
    expect(out).toBe("a b\tc d\t\t2026-01-12T11:00:00.000Z\n");
    expect(renderTable(["A"], [], { tty: false, width: 80 })).toBe("");
  });
});

describe("show views", () => {
  const pairs: [string, string | number | null][] = [
    ["id", "key_1"],
    ["name", "deploy"],
    ["uses", 3],
    ["owner", null],
    ["note", "one\ntwo"],
  ];

  it('print "field:\\tvalue" lines off a terminal', () => {
    expect(renderDetails(pairs, { tty: false })).toBe(
      "id:\tkey_1\nname:\tdeploy\nuses:\t3\nowner:\t\nnote:\tone\n\ttwo\n",
    );
  });

  it("align the values on a terminal", () => {
    expect(renderDetails(pairs, { tty: true })).toBe(
      "id     key_1\nname   deploy\nuses   3\nowner\nnote   one\n       two\n",
    );
  });
});

describe("layout helpers", () => {
  it("narrows the widest columns to a common cap and gives the spare columns back", () => {
    expect(fitWidths([10, 50, 30], [false, false, false], 100)).toEqual([10, 50, 30]);
    expect(fitWidths([10, 50, 30], [false, false, false], 60)).toEqual([10, 25, 25]);
    expect(fitWidths([30, 50, 30], [true, false, false], 60)).toEqual([30, 15, 15]);
  });

  it("says how long ago or until, briefly", () => {
    const now = new Date("2026-01-15T12:00:00.000Z");
    const at = (ms: number) => relativeTime(new Date(now.getTime() + ms), now);
    expect(at(-30_000)).toBe("just now");
    expect(at(-5 * 60_000)).toBe("5m ago");
    expect(at(-90 * 60_000)).toBe("90m ago");
    expect(at(36 * 3_600_000)).toBe("in 36h");
    expect(at(-3 * 86_400_000)).toBe("3d ago");
    expect(at(90 * 86_400_000)).toBe("in 3mo");
    expect(at(-800 * 86_400_000)).toBe("2y ago");
  });
});
