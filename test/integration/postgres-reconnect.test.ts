import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { openSql } from "../../src/db/sql.js";
import { withMasterKeyLock } from "../../src/services/secrets/key-lock.js";
import { PG_BASE_URL } from "../helpers/databases.js";
import { testServices } from "../helpers/services.js";

// A PostgreSQL connection cut by the server (a restart, a failover, pg_terminate_backend) is opened
// again by its next statement, so a long-running worker lives on; but not while it holds the
// master-key rotation's session lock, which went with it: the run must fail, not go on unprotected.
describe.skipIf(!PG_BASE_URL)("a cut PostgreSQL connection", () => {
  const cut = async (target: Parameters<typeof openSql>[0], pid: number) => {
    const admin = await openSql(target);
    try {
      await admin.all(`SELECT pg_terminate_backend(?) AS "done"`, [pid]);
    } finally {
      await admin.close();
    }
    await sleep(100); // the client hears of it
  };
  const pidOf = async (sql: Awaited<ReturnType<typeof openSql>>) =>
    Number((await sql.get<{ pid: unknown }>(`SELECT pg_backend_pid() AS "pid"`))!.pid);

  it("is opened again by the next statement outside a transaction", async () => {
    const t = await testServices("postgresql");
    try {
      const before = await pidOf(t.ctx.sql);
      await cut(t.ctx.db.target, before);
      const after = await pidOf(t.ctx.sql);
      expect(after).not.toBe(before);
    } finally {
      await t.dispose();
    }
  });

  it("is not opened again while it holds the master-key lock: the run fails", async () => {
    const t = await testServices("postgresql");
    try {
      const run = withMasterKeyLock(t.ctx, async () => {
        await cut(t.ctx.db.target, await pidOf(t.ctx.sql));
        await t.ctx.sql.all(`SELECT 1 AS "x"`);
      });
      await expect(run).rejects.toThrow("the session lock it held with it");
      // Released with the run: the next statement opens the connection again.
      expect(await pidOf(t.ctx.sql)).toBeGreaterThan(0);
    } finally {
      await t.dispose();
    }
  });
});
