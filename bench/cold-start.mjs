// Cold start of `intg db status --json` on a migrated SQLite database against `node -e 0`:
// every command pays the start-up, so it is part of every feature.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, coldStartRow, timeProcess } from "./lib.mjs";

export async function coldStart() {
  const dir = mkdtempSync(join(tmpdir(), "intg-bench-"));
  const env = { PATH: process.env.PATH, HOME: dir, INTG_DATABASE_URL: `file:${join(dir, "bench.db")}` };
  try {
    timeProcess([BIN, "db", "migrate"], env);
    return [coldStartRow("cold start: intg db status --json (SQLite)", [BIN, "db", "status", "--json"], env)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
