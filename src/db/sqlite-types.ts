import type BetterSqlite3 from "better-sqlite3";

type Row = Record<string, unknown>;
type Convert = (v: unknown) => unknown;

// SQLite keeps Prisma's DateTime as text, Boolean as 0/1 and Json as text, while PostgreSQL's driver
// returns Date, boolean and parsed JSON. The typed layer promises the schema's types on both, so a
// SQLite row is converted by the declared type of each result column (the migrations declare
// DATETIME, BOOLEAN and JSONB). Columns computed by an expression have no declared type and stay.
const BY_DECLARED_TYPE: Record<string, Convert> = {
  DATETIME: (v) => (typeof v === "string" || typeof v === "number" ? new Date(v) : v),
  BOOLEAN: (v) => (typeof v === "number" || typeof v === "bigint" ? v !== 0 && v !== 0n : v),
  JSONB: (v) => (typeof v === "string" ? JSON.parse(v) : v),
};

/**
 * Builds a row object with the schema's types from a row read in raw mode (an array in the order
 * of the statement's columns). Raw rows, and objects built once here, cost much less than the
 * driver's objects converted afterwards: changing a property from text to a Date changes the shape
 * of every row (keys list reads thousands of rows of nineteen columns).
 */
export function rowBuilder(statement: BetterSqlite3.Statement): (values: unknown[]) => Row {
  const columns = statement.columns();
  const names = columns.map((c) => c.name);
  const converts = columns.map((c) => (c.type ? BY_DECLARED_TYPE[c.type.toUpperCase()] : undefined));
  return (values) => {
    const row: Row = {};
    for (let i = 0; i < names.length; i++) {
      const v = values[i];
      const convert = converts[i];
      // A later column of the same name wins, as in the driver's own objects.
      row[names[i]!] = convert && v !== null && v !== undefined ? convert(v) : v;
    }
    return row;
  };
}
