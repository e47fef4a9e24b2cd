import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDERS } from "../helpers/databases.js";
import { seededBin } from "../helpers/ref-fixtures.js";

describe.each(PROVIDERS)("intg refs share and metrics through bin/intg on %s", (provider) => {
  const { run, setup, dispose } = seededBin(provider);
  beforeAll(setup);
  afterAll(dispose);

  it("creates a link (token alone on stdout, once), resolves it from stdin, refuses it when used up or revoked (exit 4)", async () => {
    const ref = JSON.parse(
      (
        await run([
          "refs",
          "link",
          "--entity",
          "user:42",
          "--connection",
          "conn_hubspot",
          "--external",
          "contact:901",
          "--json",
        ])
      ).stdout,
    );
    const created = await run(["refs", "share", "create", ref.id, "--expires-in", "1h", "--max-uses", "1"]);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^intgshr_\S{43}$/);
    expect(created.stderr).toContain("not shown again");
    const list = await run(["refs", "share", "list", ref.id, "--json"]);
    expect(list.stdout).not.toContain(token);
    const [link] = JSON.parse(list.stdout);
    expect(link).toMatchObject({ referenceId: ref.id, state: "active", maxUses: 1, accessCount: 0 });

    const resolved = await run(["refs", "share", "resolve", "--json"], token + "\n");
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(JSON.parse(resolved.stdout)).toMatchObject({ id: ref.id, entityId: "42", externalId: "901" });
    const again = await run(["refs", "share", "resolve", "--json"], token);
    expect(again.code).toBe(4);
    expect(JSON.parse(again.stderr)).toMatchObject({ error: { code: "SHARE_LINK_USED_UP" } });
    expect((await run(["refs", "share", "resolve"], "intgshr_wrong")).code).toBe(4);

    const second = (await run(["refs", "share", "create", ref.id])).stdout.trim();
    const secondId = JSON.parse((await run(["refs", "share", "list", "--json"])).stdout)[1].id;
    expect((await run(["refs", "share", "revoke", secondId])).code).toBe(2); // needs --yes
    expect((await run(["refs", "share", "revoke", secondId, "--yes"])).code).toBe(0);
    const revoked = await run(["refs", "share", "resolve"], second);
    expect(revoked.code).toBe(4);
    expect(revoked.stderr).toMatch(/was revoked/);
    for (const bad of [
      ["--expires-in", "soon"],
      ["--expires-in", "400d"],
      ["--max-uses", "0"],
    ])
      expect((await run(["refs", "share", "create", ref.id, ...bad])).code).toBe(2);
    expect((await run(["refs", "share", "create", "ref_missing"])).code).toBe(5);
  });

  it("prints reference metrics", async () => {
    const r = await run(["refs", "metrics", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      total: 1,
      orphans: 1,
      remoteDeleted: 0,
      counts: [{ connectionId: "conn_hubspot", entityType: "user", count: 1 }],
      growth: [{ created: 1 }],
    });
    expect((await run(["refs", "metrics"])).stdout).toContain("orphans");
    expect((await run(["refs", "metrics", "--days", "0"])).code).toBe(2);
  });
});
