import { randomBytes } from "node:crypto";
import { openDatabase } from "../../src/db/client.js";
import { applyPendingMigrations } from "../../src/db/migrations.js";
import { parseDbUrl } from "../../src/db/url.js";
import type { ServiceContext } from "../../src/services/context.js";
import { tempDb, type TempDb } from "./databases.js";

export interface TestServices {
  ctx: ServiceContext;
  temp: TempDb;
  /** Moves the pinned clock. */
  advance(ms: number): void;
  setNow(d: Date): void;
  dispose(): Promise<void>;
}

/** The master key testServices' context holds (base64 of 32 bytes); tests that need another set env themselves. */
export const TEST_MASTER_KEY = randomBytes(32).toString("base64");

/** A migrated database of the given provider, and a service context over it with a pinned clock. */
export async function testServices(
  provider: "sqlite" | "postgresql",
  start = new Date("2026-01-15T12:00:00.000Z"),
): Promise<TestServices> {
  const temp = await tempDb(provider);
  const target = parseDbUrl(temp.url, "--db", process.cwd());
  await applyPendingMigrations(target);
  const db = await openDatabase(target, { autoMigrate: false });
  let now = start;
  // Operators hold the master key: configuration writes and the audit chain are keyed under it.
  const ctx: ServiceContext = {
    db,
    sql: db.sql,
    now: () => now,
    actor: "tester",
    env: { INTG_MASTER_KEY: TEST_MASTER_KEY },
  };
  return {
    ctx,
    temp,
    advance: (ms) => (now = new Date(now.getTime() + ms)),
    setNow: (d) => (now = d),
    async dispose() {
      await db.close();
      await temp.dispose();
    },
  };
}
