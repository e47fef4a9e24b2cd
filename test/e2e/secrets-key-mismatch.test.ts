import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey, type MasterKey } from "../../src/lib/crypto.js";
import { tempDir } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

// Issue 12, item 7: an unrelated INTG_MASTER_KEY used to be accepted for new secrets, silently
// splitting the store across two keys. Every sealing write now refuses it (exit 4).

const b64 = (k: MasterKey) => k.bytes.toString("base64");

describe("a master key that opens none of the stored secrets", () => {
  const dir = tempDir();
  afterAll(() => dir.dispose());
  const [RIGHT, WRONG, NEXT] = [generateMasterKey(), generateMasterKey(), generateMasterKey()];
  const base = {
    HOME: dir.path,
    INTG_DATABASE_URL: `file:${join(dir.path, "team.db")}`,
    INTG_ALLOW_PRIVATE_NETWORKS: "1",
  };
  const as = (key: MasterKey, previous?: MasterKey) => ({
    ...base,
    INTG_MASTER_KEY: b64(key),
    ...(previous ? { INTG_PREVIOUS_MASTER_KEYS: b64(previous) } : {}),
  });
  const names = async () =>
    (JSON.parse((await intg(["secrets", "list", "--json"], { env: as(RIGHT) })).stdout) as { name: string }[]).map(
      (s) => s.name,
    );
  const refused = (r: { code: number | null; stderr: string }) => {
    expect(r.code, r.stderr).toBe(4);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { code: "MASTER_KEY_MISMATCH" } });
  };
  let endpointId = "";

  it("refuses secrets set, endpoint create and rotate-secret, and a connection credential, writing nothing", async () => {
    expect((await intg(["db", "migrate"], { env: base })).code).toBe(0);
    expect((await intg(["secrets", "set", "a", "--type", "api_key"], { env: as(RIGHT), input: "value-a" })).code).toBe(
      0,
    );
    const ep = await intg(["webhooks", "endpoints", "create", "--url", "http://127.0.0.1:9/hook", "--json"], {
      env: as(RIGHT),
    });
    expect(ep.code, ep.stderr).toBe(0);
    endpointId = (JSON.parse(ep.stdout) as { id: string }).id;
    const provider = [
      "providers",
      "create",
      "--slug",
      "acme",
      "--name",
      "Acme",
      "--category",
      "other",
      "--base-url",
      "http://127.0.0.1:9",
      "--auth",
      "bearer_token",
      "--allow-private-network",
    ];
    expect((await intg(provider, { env: as(RIGHT) })).code).toBe(0);

    const set = await intg(["secrets", "set", "b", "--type", "api_key", "--json"], {
      env: as(WRONG),
      input: "value-b",
    });
    refused(set);
    expect(JSON.parse(set.stderr).error.message).toContain(
      `master key ${WRONG.id} (INTG_MASTER_KEY) opens none of the secrets already stored`,
    );
    refused(
      await intg(["webhooks", "endpoints", "create", "--url", "http://127.0.0.1:9/other", "--json"], {
        env: as(WRONG),
      }),
    );
    refused(await intg(["webhooks", "endpoints", "rotate-secret", endpointId, "--json"], { env: as(WRONG) }));
    refused(
      await intg(["connections", "create", "--provider", "acme", "--env", "production", "--name", "main", "--json"], {
        env: as(WRONG),
        input: "tok",
      }),
    );

    expect(await names()).toEqual(["a"]);
    const endpoints = JSON.parse(
      (await intg(["webhooks", "endpoints", "list", "--json"], { env: as(RIGHT) })).stdout,
    ) as unknown[];
    expect(endpoints).toHaveLength(1);
    expect(JSON.parse((await intg(["connections", "list", "--json"], { env: as(RIGHT) })).stdout)).toEqual([]);
    expect((await intg(["secrets", "status"], { env: as(RIGHT) })).code).toBe(0);
  });

  it("accepts a new key while the old one is lent by INTG_PREVIOUS_MASTER_KEYS (a rotation under way)", async () => {
    const set = await intg(["secrets", "set", "c", "--type", "api_key", "--json"], {
      env: as(NEXT, RIGHT),
      input: "value-c",
    });
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: "c", masterKeyId: NEXT.id });
    expect((await intg(["secrets", "rotate-master-key", "--yes"], { env: as(NEXT, RIGHT) })).code).toBe(0);
    // All under NEXT now: RIGHT alone opens nothing, and is refused in its turn.
    refused(await intg(["secrets", "set", "d", "--type", "api_key", "--json"], { env: as(RIGHT), input: "value-d" }));
  });

  it("--new-master-key starts the store over on purpose, and says so in the audit log", async () => {
    const set = await intg(["secrets", "set", "fresh", "--type", "api_key", "--new-master-key", "--json"], {
      env: as(WRONG),
      input: "value-fresh",
    });
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: "fresh", masterKeyId: WRONG.id });
    expect((await intg(["secrets", "reveal", "fresh"], { env: as(WRONG) })).stdout).toBe("value-fresh\n");
    const audit = await intg(["audit", "list", "--json"], { env: as(WRONG) });
    const events = JSON.parse(audit.stdout) as { action: string; metadata: Record<string, unknown> }[];
    expect(events.find((e) => e.action === "secret.create" && e.metadata.name === "fresh")?.metadata).toMatchObject({
      newMasterKey: true,
    });
    // The store is split now, as asked: status says which secrets the key cannot open.
    expect((await intg(["secrets", "status"], { env: as(WRONG) })).code).toBe(4);
    expect((await intg(["secrets", "set", "--help"], { env: base })).stdout).toContain("--new-master-key");
  });
});
