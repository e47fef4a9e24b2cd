import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

// docs/architecture.md: every statement lives in its table's module under src/db/queries; the
// rest of the code calls those. A statement written as a string anywhere else, or an enum value
// written as a SQL literal, fails here.
const ALLOWED = [
  /^db\/queries\//,
  /^db\/(sql|kysely|sqlite-types|prisma-sql|migrations|schema-engine|schema-engine-adapters|client|sqlite-files)\.ts$/,
];
const SQL_CALL =
  /\.(all|get|run|rows|query)(<[^>]*>)?\(\s*[`"'](\s*)(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|BEGIN|PRAGMA|SET|LOCK)\b/i;
// In a template literal a statement quotes its identifiers ("n", "WebhookEndpoint"): only a backtick ends it.
const SQL_TEXT =
  /`\s*SELECT\s+[^`]*\bFROM\b|[`"']\s*(SELECT\s+[^`"']*\bFROM\b|INSERT\s+INTO\b|UPDATE\s+"[A-Za-z]+"\s+SET\b|DELETE\s+FROM\b)/i;
const ENUM_LITERAL =
  /'(PENDING|SENDING|SUCCEEDED|FAILED|CANCELLED|ACTIVE|ROTATING|EXPIRED|REVOKED|DISABLED|HEALTHY|UNHEALTHY)'/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : files(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

describe("statements live in their table's module", () => {
  const sources = files(SRC).map((p) => ({ file: relative(SRC, p), text: readFileSync(p, "utf8") }));

  it("reads the sources, and would see a statement (the patterns match)", () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(SQL_CALL.test('sql.all(`SELECT "id" FROM "ApiKey"`)')).toBe(true);
    expect(SQL_TEXT.test('const q = `DELETE FROM "WebhookDelivery" WHERE "id" = ?`;')).toBe(true);
    expect(SQL_TEXT.test('  `SELECT COUNT(*) AS "n" FROM "WebhookEndpoint"`,')).toBe(true);
    expect(ENUM_LITERAL.test(`WHERE "status" = 'SENDING'`)).toBe(true);
  });

  it("no service, command or lib file writes SQL as a string", () => {
    const found = sources
      .filter((s) => !ALLOWED.some((a) => a.test(s.file)))
      .flatMap((s) => s.text.split("\n").map((line, i) => ({ s, line, n: i + 1 })))
      .filter(({ line }) => SQL_CALL.test(line) || SQL_TEXT.test(line) || ENUM_LITERAL.test(line))
      .map(({ s, n, line }) => `${s.file}:${n}: ${line.trim().slice(0, 100)}`);
    expect(found).toEqual([]);
  });
});
