import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.js";
import { typed } from "../../src/db/kysely.js";
import { applyPendingMigrations } from "../../src/db/migrations.js";
import { prepared, providerOf } from "../../src/db/prepared.js";
import { parseDbUrl } from "../../src/db/url.js";
import { PROVIDERS, tempDb, type TempDb } from "../helpers/databases.js";

// A per-row statement of a query module is compiled once per provider, in one process that may
// hold both (an app embedding intg, the test suite): each database gets its own dialect's text.

const open: { temp: TempDb; db: Database }[] = [];

beforeAll(async () => {
  for (const provider of PROVIDERS) {
    const temp = await tempDb(provider);
    const target = parseDbUrl(temp.url, "--db", process.cwd());
    await applyPendingMigrations(target);
    open.push({ temp, db: await openDatabase(target, { autoMigrate: false }) });
  }
});
afterAll(async () => {
  for (const { temp, db } of open) {
    await db.close();
    await temp.dispose();
  }
});

it("compiles once per provider and runs with new values each time", async () => {
  let builds = 0;
  const insert = prepared(["name", "at"], (k, p) => {
    builds++;
    return k.insertInto("WebhookEventType").values({ name: p.name, description: "fixed", createdAt: p.at });
  });
  const at = new Date("2026-02-03T04:05:06.789Z");
  for (const { db } of open) {
    const k = typed(db.sql);
    expect(providerOf(k)).toBe(db.sql.provider);
    const sqlText = insert.sqlFor(db.sql.provider);
    expect(sqlText).toContain(db.sql.provider === "postgresql" ? "$1" : "?");
    for (const name of ["a.one", "b.two"]) await insert.run(k, { name, at });
    const rows = await k
      .selectFrom("WebhookEventType")
      .select(["name", "description", "createdAt"])
      .orderBy("name")
      .execute();
    expect(rows).toEqual([
      { name: "a.one", description: "fixed", createdAt: at },
      { name: "b.two", description: "fixed", createdAt: at },
    ]);
  }
  expect(builds).toBe(open.length); // built once per provider, then only run
});
