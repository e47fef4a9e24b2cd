import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PG_BASE_URL, tempDir, tempPostgres, type TempDb } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

// The acceptance scenario: create, rotate and verify keys, store secrets, rotate the
// master key; then no plaintext key or secret may appear anywhere in the database's bytes.
async function scenario(env: Record<string, string>): Promise<string[]> {
  const plaintexts: string[] = [];
  const created = await intg(["keys", "create", "--name", "scenario", "--scopes", "read,write", "--json"], { env });
  expect(created.code, created.stderr).toBe(0);
  const first = JSON.parse(created.stdout);
  plaintexts.push(first.key);
  const rotated = await intg(["keys", "rotate", first.id, "--json"], { env });
  expect(rotated.code, rotated.stderr).toBe(0);
  plaintexts.push(JSON.parse(rotated.stdout).key);
  for (const key of plaintexts) expect((await intg(["keys", "verify"], { env, input: key })).code).toBe(0);
  for (const [name, type] of [["stripe", "api_key"], ["github", "bearer_token"]] as const) {
    const value = `${name}-secret-${randomBytes(12).toString("hex")}`;
    plaintexts.push(value);
    const set = await intg(["secrets", "set", name, "--type", type], { env, input: value });
    expect(set.code, set.stderr).toBe(0);
    expect((await intg(["secrets", "reveal", name], { env })).stdout.trim()).toBe(value);
  }
  // Webhook signing secrets: the current one and, during the rotation grace, the previous one.
  const endpoint = await intg(["webhooks", "endpoints", "create", "--url", "http://127.0.0.1:9/hook", "--allow-private-network", "--json"], { env });
  expect(endpoint.code, endpoint.stderr).toBe(0);
  const { id, secret } = JSON.parse(endpoint.stdout);
  const rotatedSecret = await intg(["webhooks", "endpoints", "rotate-secret", id, "--grace", "1h"], { env });
  expect(rotatedSecret.code, rotatedSecret.stderr).toBe(0);
  // The key bytes' base64 alone, too: a store that dropped the prefix would still leak it.
  for (const s of [secret, rotatedSecret.stdout.trim()]) plaintexts.push(s, s.slice("whsec_".length));
  return plaintexts;
}

describe("no plaintext at rest", () => {
  const home = tempDir();
  afterAll(() => home.dispose());

  it("on SQLite: not in the database file, its WAL, or the key file's neighbours", async () => {
    const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data") };
    const plaintexts = await scenario(env);
    const rotate = await intg(["secrets", "rotate-master-key", "--yes"], { env });
    expect(rotate.code, rotate.stderr).toBe(0);
    const base = join(home.path, "data", "intg", "intg.db");
    const bytes = [base, `${base}-wal`, `${base}-shm`].filter(existsSync).map((f) => readFileSync(f).toString("latin1")).join("");
    expect(bytes.length).toBeGreaterThan(0);
    for (const p of plaintexts) expect(bytes.includes(p), "plaintext found in the SQLite files").toBe(false);
    // The scenario's secrets are really in there, encrypted: the table is not empty.
    expect(bytes).toContain("v1.");
  });
});

describe.skipIf(!PG_BASE_URL)("no plaintext at rest on PostgreSQL", () => {
  let pg: TempDb;
  afterAll(async () => pg?.dispose());

  it("not in a pg_dump of the whole database", async () => {
    pg = await tempPostgres();
    const env = { INTG_DATABASE_URL: pg.url, INTG_MASTER_KEY: randomBytes(32).toString("base64") };
    expect((await intg(["db", "migrate"], { env })).code).toBe(0);
    const plaintexts = await scenario(env);
    const dump = execFileSync("pg_dump", ["--no-owner", pg.url], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(dump).toContain("ApiKey");
    for (const p of plaintexts) expect(dump.includes(p), "plaintext found in pg_dump").toBe(false);
  });
});
