import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// Issue 14 for the connections area: its services reach the database only through the per-table
// modules under src/db/queries (typed, one place per table), and its commands hold no handle.

const SERVICES = ["connections", "providers", "sync", "external-requests"].map((d) => join("src/services", d));
const COMMANDS = "src/commands/connections";

const sources = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), "utf8") }));

// A string statement through SqlClient: `.get(`SELECT…`, `tx.run<…>("…"`, `sql.query(…`.
const STRING_SQL = /\.(all|get|run|rows)(<[^>(]*>)?\(\s*[`"']|\b(sql|tx|client)\.query\(/;
const SQL_WORDS = /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\s+["*]/;

describe("the connections area on the typed layer", () => {
  it("runs no string SQL in its services", () => {
    const found = SERVICES.flatMap(sources).filter((s) => STRING_SQL.test(s.text) || SQL_WORDS.test(s.text));
    expect(found.map((s) => s.file)).toEqual([]);
  });

  it("reads no row through col.* conversions (typed rows carry the schema's types)", () => {
    const found = SERVICES.flatMap(sources).filter((s) => /\bcol\.\w+\(/.test(s.text));
    expect(found.map((s) => s.file)).toEqual([]);
  });

  it("gives its commands no database handle", () => {
    const found = sources(COMMANDS).filter((s) => /\.sql\b/.test(s.text) || SQL_WORDS.test(s.text));
    expect(found.map((s) => s.file)).toEqual([]);
  });
});
