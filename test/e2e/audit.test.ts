import { createHash } from "node:crypto";
import { copyFileSync, existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { intg } from "../helpers/spawn.js";

describe("intg audit through bin/intg", () => {
  const home = tempDir();
  const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data"), INTG_ACTOR: "alice" };
  const dbFile = join(home.path, "data", "intg", "intg.db");
  afterAll(() => home.dispose());

  it("lists what keys commands did, by whom, and exits 3 naming the first tampered event", async () => {
    const { id } = JSON.parse((await intg(["keys", "create", "--name", "audited", "--json"], { env })).stdout);
    expect((await intg(["keys", "rotate", id, "--json"], { env })).code).toBe(0);
    expect((await intg(["keys", "verify"], { env, input: "intg_live_" + "A".repeat(49) })).code).toBe(4);

    const events = JSON.parse((await intg(["audit", "list", "--json"], { env })).stdout);
    // The embedded database keys its chain from the first event: the integrity key's creation.
    expect(events.map((e: { action: string }) => e.action)).toEqual([
      "key.verify",
      "key.rotate",
      "key.create",
      "integrity.key_create",
    ]);
    expect(events[0]).toMatchObject({ actor: "alice", outcome: "failure", reason: "MALFORMED" });
    expect(events[0].eventHash).toMatch(/^k1:/);
    expect(JSON.parse((await intg(["audit", "list", "--target", id, "--json"], { env })).stdout)).toHaveLength(2);
    expect((await intg(["audit", "verify"], { env })).code).toBe(0);

    const db = new Database(dbFile);
    db.prepare(`UPDATE "AuditEvent" SET "actor" = 'mallory' WHERE "action" = 'key.rotate'`).run();
    db.close();
    const broken = await intg(["audit", "verify"], { env });
    expect(broken.code).toBe(3);
    expect(broken.stderr).toContain(`event #3 (${events[1].id})`);
    expect(broken.stderr).toContain("edited");
  });
});

/** Recomputes every link as plain SHA-256, as a database writer without the master key can. */
function rewriteUnkeyed(file: string): void {
  const db = new Database(file);
  let prev: string | null = null;
  for (const r of db.prepare(`SELECT * FROM "AuditEvent" ORDER BY "seq"`).all() as Record<
    string,
    string | number | null
  >[]) {
    const metadata = r.metadata === null ? null : JSON.parse(String(r.metadata));
    const canonical: string = JSON.stringify([
      r.id,
      r.seq,
      prev,
      r.action,
      "mallory",
      r.targetType,
      r.targetId,
      r.outcome,
      r.reason,
      metadata,
      new Date(String(r.createdAt)).toISOString(),
    ]);
    const hash: string = createHash("sha256").update(canonical).digest("hex");
    db.prepare(`UPDATE "AuditEvent" SET "prevHash" = ?, "hash" = ?, "actor" = 'mallory' WHERE "id" = ?`).run(
      prev,
      hash,
      r.id,
    );
    prev = hash;
  }
  db.close();
}

describe("audit verify against a database writer, on the embedded database", () => {
  const home = tempDir();
  const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data"), INTG_ACTOR: "alice" };
  const dir = join(home.path, "data", "intg");
  const dbFile = join(dir, "intg.db");
  const pristine = join(home.path, "pristine.db");
  let head = "";
  // A stale WAL beside a copied-in database would be replayed into it: drop it first.
  const reset = () => {
    for (const suffix of ["-wal", "-shm"]) rmSync(dbFile + suffix, { force: true });
    copyFileSync(pristine, dbFile);
  };
  const exec = (statement: string) => {
    const db = new Database(dbFile);
    db.exec(statement);
    db.close();
  };

  beforeAll(async () => {
    for (let i = 0; i < 6; i++)
      expect((await intg(["keys", "create", "--name", `k${i}`, "--json"], { env })).code).toBe(0);
    const printed = await intg(["audit", "head"], { env });
    expect(printed.code).toBe(0);
    head = printed.stdout.trim();
    expect(head).toMatch(/^7:k1:[0-9a-f]{64}$/);
    const db = new Database(dbFile);
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
    copyFileSync(dbFile, pristine);
  });
  afterAll(() => home.dispose());

  it("keeps the head beside the key file, owner-only, and passes an untouched log and its head", async () => {
    expect(existsSync(join(dir, "audit.head"))).toBe(true);
    expect(statSync(join(dir, "audit.head")).mode & 0o777).toBe(0o600);
    expect((await intg(["audit", "verify"], { env })).code).toBe(0);
    expect((await intg(["audit", "verify", "--expect-head", head], { env })).code).toBe(0);
    const json = JSON.parse((await intg(["audit", "verify", "--json"], { env })).stdout);
    expect(json).toMatchObject({
      ok: true,
      checked: 7,
      keyed: true,
      keyedFromSeq: 1,
      head,
      anchors: [{ source: "head-file", ok: true }],
    });
  });

  it("exits 3 when the table is emptied", async () => {
    reset();
    exec(`DELETE FROM "AuditEvent"`);
    const r = await intg(["audit", "verify"], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("emptied or cut");
  });

  it("exits 3 when the newest 5 events are deleted", async () => {
    reset();
    exec(`DELETE FROM "AuditEvent" WHERE "seq" > 2`);
    const r = await intg(["audit", "verify"], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("newest events were deleted");
    // A new event appended after the cut does not move the head back.
    expect((await intg(["keys", "create", "--name", "after-cut"], { env })).code).toBe(0);
    expect((await intg(["audit", "verify"], { env })).code).toBe(3);
  });

  it("exits 3 when the chain is rewritten with recomputed unkeyed hashes", async () => {
    reset();
    rewriteUnkeyed(dbFile);
    const r = await intg(["audit", "verify"], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("rewritten");
  });

  it("exits 3 on --expect-head when the head file is gone too, and 2 on a malformed one", async () => {
    reset();
    exec(`DELETE FROM "AuditEvent" WHERE "seq" > 2`);
    const moved = { ...env, INTG_AUDIT_HEAD_FILE: join(home.path, "elsewhere.head") };
    expect((await intg(["audit", "verify", "--expect-head", head], { env: moved })).code).toBe(3);
    expect((await intg(["audit", "verify", "--expect-head", "not-a-head"], { env })).code).toBe(2);
  });
});

describe("the worker's own audit events move the head kept outside the database", () => {
  const home = tempDir();
  const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data"), INTG_ALLOW_PRIVATE_NETWORKS: "1" };
  afterAll(() => home.dispose());

  it("records an endpoint disabled by a 410 in the store thread, and the head reaches that event", async () => {
    const receiver = await startReceiver({ respond: () => ({ status: 410 }) });
    try {
      const ep = JSON.parse(
        (await intg(["webhooks", "endpoints", "create", "--url", receiver.url, "--json"], { env })).stdout,
      );
      expect(
        (await intg(["webhooks", "send", "order.placed", "--allow-unknown-type", "--data", "{}"], { env })).code,
      ).toBe(0);
      expect((await intg(["webhooks", "worker", "--once"], { env })).code).toBe(0);
      const [last] = JSON.parse((await intg(["audit", "list", "--limit", "1", "--json"], { env })).stdout);
      expect(last).toMatchObject({ action: "endpoint.disable", actor: "system", targetId: ep.id });
      const report = JSON.parse((await intg(["audit", "verify", "--json"], { env })).stdout);
      expect(report).toMatchObject({ ok: true, head: `${report.checked}:${last.eventHash}` });
      expect(report.anchors).toEqual([{ source: "head-file", seq: report.checked, hash: last.eventHash, ok: true }]);
    } finally {
      await receiver.close();
    }
  });
});
