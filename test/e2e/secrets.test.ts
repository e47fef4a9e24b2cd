import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PG_BASE_URL, tempDir, tempPostgres, type TempDb } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

// The built bin/intg, as an operator or a CI job runs it.

const PLAINTEXT = "sk_live_E2E_PLAINTEXT_7f3a9c";

/** Every byte SQLite holds for a database: the file, its WAL and its journal. */
function sqliteBytes(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.startsWith("intg.db") || f.endsWith(".db") || f.includes(".db-"))
    .map((f) => readFileSync(join(dir, f)).toString("latin1"))
    .join("");
}

describe("secrets on the embedded database", () => {
  const home = tempDir();
  afterAll(() => home.dispose());
  const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data") };
  const dataDir = join(home.path, "data", "intg");

  it("set from stdin creates a 0600 key file beside the database; list shows no value; reveal does", async () => {
    const set = await intg(["secrets", "set", "stripe-live", "--type", "api_key"], { env, input: `${PLAINTEXT}\n` });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain(`created the master key file ${join(dataDir, "master.key")} (mode 0600)`);
    expect(statSync(join(dataDir, "master.key")).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir)).toContain("intg.db");

    const list = await intg(["secrets", "list", "--json"], { env });
    expect(list.code).toBe(0);
    const [secret] = JSON.parse(list.stdout);
    expect(secret).toMatchObject({
      name: "stripe-live",
      tokenType: "API_KEY",
      masterKeyId: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(list.stdout + list.stderr).not.toContain(PLAINTEXT);
    expect((await intg(["secrets", "show", "stripe-live", "--json"], { env })).stdout).not.toContain(PLAINTEXT);
    expect((await intg(["secrets", "reveal", "stripe-live"], { env })).stdout).toBe(`${PLAINTEXT}\n`);
    expect(sqliteBytes(dataDir)).not.toContain(PLAINTEXT);
  });

  it("--type bogus exits 2, lists the valid types and writes nothing", async () => {
    const r = await intg(["secrets", "set", "other", "--type", "bogus"], { env, input: "value" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown token type "bogus"');
    expect(r.stderr).toContain("WEBHOOK_SIGNING_SECRET");
    const names = JSON.parse((await intg(["secrets", "list", "--json"], { env })).stdout).map(
      (s: { name: string }) => s.name,
    );
    expect(names).toEqual(["stripe-live"]);
  });

  it("rotates the key file's master key; the secret still reveals", async () => {
    const before = JSON.parse(readFileSync(join(dataDir, "master.key"), "utf8")).current.id;
    const r = await intg(["secrets", "rotate-master-key", "--yes", "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({
      keySource: "file",
      newKey: "generated",
      fromKeyIds: { [before]: 1 },
      reencrypted: 1,
      remaining: 0,
      droppedKeyIds: [],
    });
    // The old key stays in the file until prune-keys, which asks first (--yes off a terminal).
    expect(JSON.parse(readFileSync(join(dataDir, "master.key"), "utf8"))).toMatchObject({
      current: { id: result.toKeyId },
      previous: [{ id: before }],
    });
    const refused = await intg(["secrets", "prune-keys"], { env });
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining("--yes required")]);
    const pruned = await intg(["secrets", "prune-keys", "--yes", "--json"], { env });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(JSON.parse(pruned.stdout)).toEqual({
      dryRun: false,
      keySource: "file",
      keyFile: join(dataDir, "master.key"),
      currentKeyId: result.toKeyId,
      prunedKeyIds: [before],
      keptKeyIds: {},
      unneededEnvKeyIds: [],
    });
    expect(JSON.parse(readFileSync(join(dataDir, "master.key"), "utf8"))).toMatchObject({
      current: { id: result.toKeyId },
      previous: [],
    });
    expect((await intg(["secrets", "reveal", "stripe-live"], { env })).stdout).toBe(`${PLAINTEXT}\n`);
    expect((await intg(["secrets", "status"], { env })).code).toBe(0);
  });
});

describe("secrets on an explicit SQLite file with INTG_MASTER_KEY", () => {
  const dir = tempDir();
  afterAll(() => dir.dispose());
  const db = `file:${join(dir.path, "team.db")}`;
  const [K1, K2] = [generateMasterKey(), generateMasterKey()];
  const key = (k: typeof K1) => k.bytes.toString("base64");

  it("needs INTG_MASTER_KEY: missing exits 4, malformed exits 2", async () => {
    expect((await intg(["db", "migrate", "--db", db])).code).toBe(0);
    const missing = await intg(["secrets", "set", "a", "--type", "api_key", "--db", db], { input: PLAINTEXT });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain("No master key: set INTG_MASTER_KEY");
    const malformed = await intg(["secrets", "set", "a", "--type", "api_key", "--db", db], {
      input: PLAINTEXT,
      env: { INTG_MASTER_KEY: "dG9vIHNob3J0" },
    });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("INTG_MASTER_KEY must be base64 of exactly 32 bytes; it decodes to 9 bytes.");
    expect(readdirSync(dir.path)).not.toContain("master.key");
  });

  it("a wrong INTG_MASTER_KEY makes reveal exit 4 with a clear message, never garbage", async () => {
    expect(
      (
        await intg(["secrets", "set", "a", "--type", "api_key", "--db", db], {
          input: PLAINTEXT,
          env: { INTG_MASTER_KEY: key(K1) },
        })
      ).code,
    ).toBe(0);
    const wrong = await intg(["secrets", "reveal", "a", "--db", db], { env: { INTG_MASTER_KEY: key(K2) } });
    expect(wrong.code).toBe(4);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toMatch(
      new RegExp(
        `^intg: Secret "a" \\(sec_\\w+\\) is encrypted under master key ${K1.id}, which is not available \\(available: ${K2.id}\\)\\.\\n`,
      ),
    );
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
    const json = await intg(["secrets", "reveal", "a", "--db", db, "--json"], { env: { INTG_MASTER_KEY: key(K2) } });
    expect(JSON.parse(json.stderr).error.code).toBe("MASTER_KEY_UNAVAILABLE");
  });

  it("rotates with INTG_MASTER_KEY=new and INTG_PREVIOUS_MASTER_KEYS=old", async () => {
    const rotating = { INTG_MASTER_KEY: key(K2), INTG_PREVIOUS_MASTER_KEYS: key(K1) };
    expect((await intg(["secrets", "status", "--db", db], { env: rotating })).code).toBe(8);
    const r = await intg(["secrets", "rotate-master-key", "--yes", "--json", "--db", db], { env: rotating });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ keySource: "env", toKeyId: K2.id, reencrypted: 1, remaining: 0 });
    expect((await intg(["secrets", "reveal", "a", "--db", db], { env: { INTG_MASTER_KEY: key(K2) } })).stdout).toBe(
      `${PLAINTEXT}\n`,
    );
    expect(sqliteBytes(dir.path)).not.toContain(PLAINTEXT);
  });
});

describe.skipIf(!PG_BASE_URL)("secrets on PostgreSQL", () => {
  let pg: TempDb;
  afterAll(async () => pg?.dispose());

  it("stores, reveals and rotates; no plaintext in the database", async () => {
    pg = await tempPostgres();
    const [K1, K2] = [generateMasterKey(), generateMasterKey()];
    const env = { INTG_DATABASE_URL: pg.url, INTG_MASTER_KEY: K1.bytes.toString("base64") };
    expect((await intg(["db", "migrate"], { env })).code).toBe(0);
    expect(
      (await intg(["secrets", "set", "pg-secret", "--type", "oauth2_refresh_token"], { env, input: PLAINTEXT })).code,
    ).toBe(0);
    expect((await intg(["secrets", "reveal", "pg-secret"], { env })).stdout).toBe(`${PLAINTEXT}\n`);
    const rotating = {
      ...env,
      INTG_MASTER_KEY: K2.bytes.toString("base64"),
      INTG_PREVIOUS_MASTER_KEYS: K1.bytes.toString("base64"),
    };
    expect((await intg(["secrets", "rotate-master-key", "--yes"], { env: rotating })).code).toBe(0);
    const status = JSON.parse((await intg(["secrets", "status", "--json"], { env: rotating })).stdout);
    expect(status).toMatchObject({ currentKeyId: K2.id, total: 1, notUnderCurrent: 0 });

    const { default: pgm } = await import("pg");
    const client = new pgm.Client({ connectionString: pg.url });
    await client.connect();
    try {
      for (const table of ["IntegrationSecret", "AuditEvent"]) {
        const { rows } = await client.query(`SELECT * FROM "${table}"`);
        expect(JSON.stringify(rows)).not.toContain(PLAINTEXT);
      }
    } finally {
      await client.end();
    }
  });
});
