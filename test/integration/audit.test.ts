import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSql } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { listAudit } from "../../src/services/audit/list.js";
import { recordAudit } from "../../src/services/audit/record.js";
import { verifyAuditChain } from "../../src/services/audit/verify.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

describe.each(PROVIDERS)("the audit log on %s", (provider) => {
  let t: TestServices;
  beforeAll(async () => (t = await testServices(provider)));
  afterAll(async () => t?.dispose());

  it("chains events and lists them newest first, filtered by target", async () => {
    for (let i = 0; i < 5; i++) {
      await recordAudit(t.ctx, { action: "key.create", targetType: "api_key", targetId: `key_${i}`, metadata: { n: i, nested: { b: 1, a: 2 } } });
      t.advance(1000);
    }
    const events = await listAudit(t.ctx, { limit: 10 });
    expect(events.map((e) => e.targetId)).toEqual(["key_4", "key_3", "key_2", "key_1", "key_0"]);
    expect(events[0]!.previousHash).toBe(events[1]!.eventHash);
    expect(events.at(-1)!.previousHash).toBeNull();
    expect(events[0]).toMatchObject({ actor: "tester", outcome: "success", metadata: { n: 4, nested: { a: 2, b: 1 } } });
    expect((await listAudit(t.ctx, { target: "key_2", limit: 10 })).map((e) => e.targetId)).toEqual(["key_2"]);
    expect(await verifyAuditChain(t.ctx)).toEqual({ ok: true, checked: 5, firstBad: null });
  });

  it("keeps the chain whole under concurrent appends, on one connection and on several", async () => {
    // better-sqlite3 is synchronous: two SQLite connections in one thread would wait on each
    // other's lock forever, so SQLite is raced within one connection here (and across processes
    // by the end-to-end rotation race); PostgreSQL across four connections.
    const extra = provider === "sqlite" ? [] : await Promise.all(Array.from({ length: 3 }, () => openSql(parseDbUrl(t.temp.url, "--db", process.cwd()))));
    const clients = [t.ctx.sql, ...extra];
    try {
      await Promise.all(clients.flatMap((sql, c) => Array.from({ length: 40 / clients.length }, (_, i) => recordAudit({ ...t.ctx, sql }, { action: "test.concurrent", targetType: "test", targetId: `${c}-${i}` }))));
    } finally {
      await Promise.all(extra.map((c) => c.close()));
    }
    expect(await verifyAuditChain(t.ctx)).toMatchObject({ ok: true, checked: 45 });
  });

  it("names the first edited event, and the first deleted one", async () => {
    const [row] = await t.ctx.sql.all<{ id: string; seq: number }>(`SELECT "id", "seq" FROM "AuditEvent" WHERE "targetId" = ?`, ["key_2"]);
    await t.ctx.sql.run(`UPDATE "AuditEvent" SET "reason" = ? WHERE "id" = ?`, ["nothing to see", row!.id]);
    expect(await verifyAuditChain(t.ctx)).toEqual({ ok: false, checked: 2, firstBad: { id: row!.id, seq: 3, reason: "its content does not match its hash (edited)" } });
    await t.ctx.sql.run(`UPDATE "AuditEvent" SET "reason" = NULL WHERE "id" = ?`, [row!.id]);
    expect((await verifyAuditChain(t.ctx)).ok).toBe(true);
    await t.ctx.sql.run(`DELETE FROM "AuditEvent" WHERE "seq" = ?`, [4]);
    expect((await verifyAuditChain(t.ctx)).firstBad).toEqual({ id: null, seq: 4, reason: "event #4 is missing (the next is #5)" });
  });
});
