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

const plans = new WeakMap<BetterSqlite3.Statement, Array<[string, Convert]>>();

function plan(statement: BetterSqlite3.Statement): Array<[string, Convert]> {
  let p = plans.get(statement);
  if (!p) {
    p = [];
    for (const c of statement.columns()) {
      const convert = c.type ? BY_DECLARED_TYPE[c.type.toUpperCase()] : undefined;
      if (convert) p.push([c.name, convert]);
    }
    plans.set(statement, p);
  }
  return p;
}

/** The rows of a reading statement, with the schema's types (converted in place). */
export function schemaTyped(statement: BetterSqlite3.Statement, rows: Row[]): Row[] {
  const p = plan(statement);
  if (p.length === 0) return rows;
  for (const row of rows) {
    for (const [name, convert] of p) {
      const v = row[name];
      if (v !== null && v !== undefined) row[name] = convert(v);
    }
  }
  return rows;
}
