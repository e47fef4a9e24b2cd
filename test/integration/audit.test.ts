import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSql } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { sortKeys } from "../../src/services/audit/chain.js";
import { readHeadFile } from "../../src/services/audit/head-file.js";
import { listAudit } from "../../src/services/audit/list.js";
import { recordAudit } from "../../src/services/audit/record.js";
import { verifyAuditChain } from "../../src/services/audit/verify.js";
import type { ServiceContext } from "../../src/services/context.js";
import { PROVIDERS, tempDir } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

type Row = Record<string, unknown> & { id: string; seq: number | string; hash: string; prevHash: string | null };

/** What a database writer without the master key can do: recompute every link as plain SHA-256. */
async function rewriteUnkeyed(ctx: ServiceContext, edit: (r: Row) => void): Promise<void> {
  const rows = await ctx.sql.all<Row>(`SELECT * FROM "AuditEvent" ORDER BY "seq"`);
  let prev: string | null = null;
  for (const r of rows) {
    edit(r);
    const metadata = r.metadata === null ? null : typeof r.metadata === "string" ? JSON.parse(r.metadata) : r.metadata;
    const createdAt = (r.createdAt instanceof Date ? r.createdAt : new Date(String(r.createdAt))).toISOString();
    const canonical: string = JSON.stringify([
      r.id,
      Number(r.seq),
      prev,
      r.action,
      r.actor,
      r.targetType,
      r.targetId,
      r.outcome,
      r.reason,
      sortKeys(metadata),
      createdAt,
    ]);
    const hash: string = createHash("sha256").update(canonical).digest("hex");
    await ctx.sql.run(`UPDATE "AuditEvent" SET "prevHash" = ?, "hash" = ?, "actor" = ? WHERE "id" = ?`, [
      prev,
      hash,
      r.actor,
      r.id,
    ]);
    prev = hash;
  }
}

describe.each(PROVIDERS)("the audit log on %s", (provider) => {
  let t: TestServices;
  const heads = tempDir();
  beforeAll(async () => (t = await testServices(provider)));
  afterAll(async () => {
    await t?.dispose();
    heads.dispose();
  });

  it("chains events under the audit key and lists them newest first, filtered by target", async () => {
    for (let i = 0; i < 5; i++) {
      await recordAudit(t.ctx, {
        action: "key.create",
        targetType: "api_key",
        targetId: `key_${i}`,
        metadata: { n: i, nested: { b: 1, a: 2 } },
      });
      t.advance(1000);
    }
    const events = await listAudit(t.ctx, { limit: 10 });
    // The first keyed write made the integrity key, and says so.
    expect(events.map((e) => e.targetId ?? e.action)).toEqual([
      "key_4",
      "key_3",
      "key_2",
      "key_1",
      "key_0",
      "integrity.key_create",
    ]);
    expect(events[0]!.previousHash).toBe(events[1]!.eventHash);
    expect(events[0]!.eventHash).toMatch(/^k1:[0-9a-f]{64}$/);
    expect(events.at(-1)!.previousHash).toBeNull();
    expect(events[0]).toMatchObject({
      actor: "tester",
      outcome: "success",
      metadata: { n: 4, nested: { a: 2, b: 1 } },
    });
    expect((await listAudit(t.ctx, { target: "key_2", limit: 10 })).map((e) => e.targetId)).toEqual(["key_2"]);
    expect(await verifyAuditChain(t.ctx)).toMatchObject({
      ok: true,
      checked: 6,
      firstBad: null,
      keyed: true,
      keyedFromSeq: 1,
      unsealedTail: 0,
      head: `6:${events[0]!.eventHash}`,
    });
  });

  it("keeps the chain whole under concurrent appends, on one connection and on several", async () => {
    // better-sqlite3 is synchronous: two SQLite connections in one thread would wait on each
    // other's lock forever, so SQLite is raced within one connection here (and across processes
    // by the end-to-end rotation race); PostgreSQL across four connections.
    const extra =
      provider === "sqlite"
        ? []
        : await Promise.all(Array.from({ length: 3 }, () => openSql(parseDbUrl(t.temp.url, "--db", process.cwd()))));
    const clients = [t.ctx.sql, ...extra];
    try {
      await Promise.all(
        clients.flatMap((sql, c) =>
          Array.from({ length: 40 / clients.length }, (_, i) =>
            recordAudit({ ...t.ctx, sql }, { action: "test.concurrent", targetType: "test", targetId: `${c}-${i}` }),
          ),
        ),
      );
    } finally {
      await Promise.all(extra.map((c) => c.close()));
    }
    expect(await verifyAuditChain(t.ctx)).toMatchObject({ ok: true, checked: 46 });
  });

  it("names the first edited event, and the first deleted one", async () => {
    const [row] = await t.ctx.sql.all<{ id: string; seq: number }>(
      `SELECT "id", "seq" FROM "AuditEvent" WHERE "targetId" = ?`,
      ["key_2"],
    );
    await t.ctx.sql.run(`UPDATE "AuditEvent" SET "reason" = ? WHERE "id" = ?`, ["nothing to see", row!.id]);
    expect(await verifyAuditChain(t.ctx)).toMatchObject({
      ok: false,
      checked: 3,
      firstBad: { id: row!.id, seq: 4, reason: "its content does not match its hash (edited)" },
    });
    await t.ctx.sql.run(`UPDATE "AuditEvent" SET "reason" = NULL WHERE "id" = ?`, [row!.id]);
    expect((await verifyAuditChain(t.ctx)).ok).toBe(true);
    await t.ctx.sql.run(`DELETE FROM "AuditEvent" WHERE "seq" = ?`, [5]);
    expect((await verifyAuditChain(t.ctx)).firstBad).toEqual({
      id: null,
      seq: 5,
      reason: "event #5 is missing (the next is #6)",
    });
  });

  describe("against a database writer without the master key", () => {
    let w: TestServices;
    let ctx: ServiceContext;
    let head: string;
    beforeAll(async () => {
      w = await testServices(provider);
      ctx = { ...w.ctx, env: { ...w.ctx.env, INTG_AUDIT_HEAD_FILE: join(heads.path, `${provider}.head`) } };
      for (let i = 0; i < 12; i++)
        await recordAudit(ctx, { action: "key.create", targetType: "api_key", targetId: `key_${i}` });
      head = (await verifyAuditChain(ctx)).head!;
    });
    afterAll(async () => w?.dispose());
    const snapshot = async () => ctx.sql.all<Row>(`SELECT * FROM "AuditEvent" ORDER BY "seq"`);
    async function restore(rows: Row[]): Promise<void> {
      await ctx.sql.run(`DELETE FROM "AuditEvent"`);
      for (const r of rows) {
        await ctx.sql.run(
          `INSERT INTO "AuditEvent" ("id","seq","prevHash","hash","action","actor","targetType","targetId","outcome","reason","metadata","createdAt") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
          [
            r.id,
            r.seq,
            r.prevHash,
            r.hash,
            r.action,
            r.actor,
            r.targetType,
            r.targetId,
            r.outcome,
            r.reason,
            r.metadata,
            r.createdAt instanceof Date ? r.createdAt : new Date(String(r.createdAt)),
          ],
        );
      }
    }

    it("keeps the head outside the database, and verifies against it and --expect-head", async () => {
      expect(readHeadFile(ctx.env.INTG_AUDIT_HEAD_FILE!)).toMatchObject({ seq: 13, hash: head.slice(3) });
      expect(await verifyAuditChain(ctx, { expectHead: { seq: 13, hash: head.slice(3) } })).toMatchObject({
        ok: true,
        anchors: [
          { source: "head-file", ok: true },
          { source: "expect-head", ok: true },
        ],
      });
    });

    it("finds the table emptied", async () => {
      const rows = await snapshot();
      await ctx.sql.run(`DELETE FROM "AuditEvent"`);
      // Without the head file too: the integrity key says where the keyed chain starts.
      const noFile = { ...ctx, env: { ...ctx.env, INTG_AUDIT_HEAD_FILE: join(heads.path, "none.head") } };
      expect(await verifyAuditChain(noFile)).toMatchObject({
        ok: false,
        firstBad: { seq: 1, reason: expect.stringContaining("emptied or cut") },
      });
      expect((await verifyAuditChain(ctx)).ok).toBe(false);
      await restore(rows);
      expect((await verifyAuditChain(ctx)).ok).toBe(true);
    });

    it("finds the newest 5 events deleted, through the head file and through --expect-head", async () => {
      const rows = await snapshot();
      await ctx.sql.run(`DELETE FROM "AuditEvent" WHERE "seq" > ?`, [rows.length - 5]);
      expect(await verifyAuditChain(ctx)).toMatchObject({
        ok: false,
        firstBad: { seq: 9, reason: expect.stringContaining("newest events were deleted") },
      });
      const noFile = { ...ctx, env: { ...ctx.env, INTG_AUDIT_HEAD_FILE: join(heads.path, "none.head") } };
      expect((await verifyAuditChain(noFile)).ok).toBe(true); // nothing in the database alone shows a cut tail...
      expect((await verifyAuditChain(noFile, { expectHead: { seq: 13, hash: head.slice(3) } })).ok).toBe(false); // ...the stored head does
      await restore(rows);
      expect((await verifyAuditChain(ctx)).ok).toBe(true);
    });

    it("finds a chain rewritten with recomputed unkeyed hashes", async () => {
      const rows = await snapshot();
      await rewriteUnkeyed(ctx, (r) => void (r.targetId === "key_3" && (r.actor = "mallory")));
      expect(await verifyAuditChain(ctx)).toMatchObject({
        ok: false,
        firstBad: { seq: 1, reason: expect.stringContaining("rewritten") },
      });
      const noFile = { ...ctx, env: { ...ctx.env, INTG_AUDIT_HEAD_FILE: join(heads.path, "none.head") } };
      expect((await verifyAuditChain(noFile)).ok).toBe(false);
      // Deleting the integrity key as well leaves keyed traces behind; without them, the head file.
      await restore(rows);
      expect((await verifyAuditChain(ctx)).ok).toBe(true);
    });

    it("refuses a log whose integrity key was deleted, and never makes a new one over it", async () => {
      const key = await ctx.sql.all<Row>(`SELECT * FROM "IntegrityKey"`);
      await ctx.sql.run(`DELETE FROM "IntegrityKey"`);
      expect(await verifyAuditChain(ctx)).toMatchObject({
        ok: false,
        firstBad: { seq: 1, reason: expect.stringContaining("no integrity key") },
      });
      await expect(
        recordAudit(ctx, { action: "key.create", targetType: "api_key", targetId: "after" }),
      ).rejects.toMatchObject({ code: "INTEGRITY_KEY_MISSING" });
      const k = key[0]!;
      await ctx.sql.run(
        `INSERT INTO "IntegrityKey" ("id","ciphertext","masterKeyId","keyedFromSeq","createdAt") VALUES (?,?,?,?,?)`,
        [k.id, k.ciphertext, k.masterKeyId, k.keyedFromSeq, new Date()],
      );
      expect((await verifyAuditChain(ctx)).ok).toBe(true);
    });
  });

  it("migrates an unkeyed log: verifies the old chain, then continues keyed from its head", async () => {
    const m = await testServices(provider);
    try {
      const keyless = { ...m.ctx, env: {} };
      for (let i = 0; i < 4; i++)
        await recordAudit(keyless, { action: "key.create", targetType: "api_key", targetId: `old_${i}` });
      expect(await verifyAuditChain(keyless)).toMatchObject({ ok: true, checked: 4, keyed: false });
      await recordAudit(m.ctx, { action: "key.create", targetType: "api_key", targetId: "new_0" });
      const report = await verifyAuditChain(m.ctx);
      expect(report).toMatchObject({ ok: true, checked: 6, keyed: true, keyedFromSeq: 5, unsealedTail: 0 });
      // A process without the master key still appends (unkeyed); the next keyed event covers it.
      await recordAudit(keyless, {
        action: "key.verify",
        targetType: "api_key",
        targetId: "new_0",
        outcome: "failure",
      });
      expect(await verifyAuditChain(m.ctx)).toMatchObject({ ok: true, unsealedTail: 1 });
      await recordAudit(m.ctx, { action: "key.create", targetType: "api_key", targetId: "new_1" });
      expect(await verifyAuditChain(m.ctx)).toMatchObject({ ok: true, checked: 8, unsealedTail: 0 });
      // The old events are covered by the keyed ones after them: rewriting them shows.
      await rewriteUnkeyed(m.ctx, (r) => void (r.targetId === "old_1" && (r.actor = "mallory")));
      expect((await verifyAuditChain(m.ctx)).ok).toBe(false);
      await expect(verifyAuditChain(keyless)).rejects.toMatchObject({ code: "MASTER_KEY_MISSING" });
    } finally {
      await m.dispose();
    }
  });
});
