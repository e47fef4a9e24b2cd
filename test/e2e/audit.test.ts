import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

describe("intg audit through bin/intg", () => {
  const home = tempDir();
  const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data"), INTG_ACTOR: "alice" };
  afterAll(() => home.dispose());

  it("lists what keys commands did, by whom, and exits 3 naming the first tampered event", async () => {
    const { id } = JSON.parse((await intg(["keys", "create", "--name", "audited", "--json"], { env })).stdout);
    expect((await intg(["keys", "rotate", id, "--json"], { env })).code).toBe(0);
    expect((await intg(["keys", "verify"], { env, input: "intg_live_" + "A".repeat(49) })).code).toBe(4);

    const events = JSON.parse((await intg(["audit", "list", "--json"], { env })).stdout);
    expect(events.map((e: { action: string }) => e.action)).toEqual(["key.verify", "key.rotate", "key.create"]);
    expect(events[0]).toMatchObject({ actor: "alice", outcome: "failure", reason: "MALFORMED" });
    expect(JSON.parse((await intg(["audit", "list", "--target", id, "--json"], { env })).stdout)).toHaveLength(2);
    expect((await intg(["audit", "verify"], { env })).code).toBe(0);

    const db = new Database(join(home.path, "data", "intg", "intg.db"));
    db.prepare(`UPDATE "AuditEvent" SET "actor" = 'mallory' WHERE "action" = 'key.rotate'`).run();
    db.close();
    const broken = await intg(["audit", "verify"], { env });
    expect(broken.code).toBe(3);
    expect(broken.stderr).toContain(`event #2 (${events[1].id})`);
    expect(broken.stderr).toContain("edited");
  });
});
