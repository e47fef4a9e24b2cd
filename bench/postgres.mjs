// A throwaway PostgreSQL database for a benchmark, beside the one BENCH_DATABASE_URL (or the
// tests' INTG_TEST_DATABASE_URL) names; null when neither is set, and that figure is skipped.
import { randomBytes } from "node:crypto";
import pg from "pg";

export async function tempPostgres() {
  const base = process.env.BENCH_DATABASE_URL ?? process.env.INTG_TEST_DATABASE_URL;
  if (!base) {
    process.stderr.write("  (no BENCH_DATABASE_URL or INTG_TEST_DATABASE_URL: PostgreSQL figures skipped)\n");
    return null;
  }
  const name = `intg_bench_${randomBytes(4).toString("hex")}`;
  const admin = async (sql) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
